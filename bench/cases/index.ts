import { concurrency } from './concurrency'
import { connRate } from './conn-rate'
import { roundTrip } from './round-trip'
import { sftpCase } from './sftp'
import { download, ptyDownload, upload } from './throughput'
import type { BenchCase } from '../case'

/** Every case, in the order they run. */
export const CASES: BenchCase[] = [
  roundTrip, download, upload, ptyDownload, sftpCase, concurrency, connRate,
]
