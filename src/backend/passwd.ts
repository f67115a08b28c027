/** One line of an /etc/passwd file. */
export interface PasswdEntry {
  name: string
  uid: number
  gid: number
  home: string
  shell: string
}

/** Parses /etc/passwd text, skipping lines that are not seven colon-separated fields. */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = []
  for (const line of text.split('\n')) {
    const fields = line.split(':')
    if (fields.length !== 7 || line.startsWith('#')) continue

    const [name, , uid, gid, , home, shell] = fields
    if (!/^\d+$/.test(uid) || !/^\d+$/.test(gid)) continue
    entries.push({ name, uid: Number(uid), gid: Number(gid), home, shell })
  }
  return entries
}
