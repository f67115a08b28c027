/** `*` and `?` globs, as OpenSSH's match_pattern; the whole text must match. */
export function matchesGlob(pattern: string, text: string): boolean {
  const body = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[^\w]/g, '\\$&')))
    .join('')
  return new RegExp(`^${body}$`, 's').test(text)
}

/**
 * A container pattern, `NAME` or `NAME.PROJECT`, globs allowed in both parts. `web-*` matches
 * containers of the default project only; `web-*.team` names the project and `web-*.*` any
 * project, so a pattern never reaches another project by accident.
 */
export function matchesContainerPattern(
  pattern: string,
  container: string,
  project: string,
  defaultProject: string,
): boolean {
  const dot = pattern.indexOf('.')
  const namePattern = dot === -1 ? pattern : pattern.slice(0, dot)
  const projectPattern = dot === -1 ? defaultProject : pattern.slice(dot + 1)
  return matchesGlob(namePattern, container) && matchesGlob(projectPattern, project)
}
