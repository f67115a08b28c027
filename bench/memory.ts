import { processTree, pssKiB, rssKiB } from './procfs'

/** Memory of a server's own processes, and of the other processes it started. */
export interface TreeMemory {
  /** RSS of the processes named `name` (sshd's listener, monitors and session processes). */
  ownRss: number
  /** The same processes' PSS: shared pages divided among them. */
  ownPss: number
  ownCount: number
  /** RSS of everything else in the tree (the `lxc exec` clients, shells). */
  otherRss: number
  otherCount: number
}

/** Sums the memory of a process tree, split by command name. */
export function treeMemory(root: number, name: string): TreeMemory {
  const memory: TreeMemory = { ownRss: 0, ownPss: 0, ownCount: 0, otherRss: 0, otherCount: 0 }
  for (const proc of processTree(root)) {
    const rss = rssKiB(proc.pid) ?? 0
    if (proc.comm === name) {
      memory.ownRss += rss
      memory.ownPss += pssKiB(proc.pid) ?? 0
      memory.ownCount++
    } else {
      memory.otherRss += rss
      memory.otherCount++
    }
  }
  return memory
}
