import { expect } from 'chai'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DAEMONS, containerExec, requireDaemon } from '../helpers/daemons'
import { startGateway } from '../helpers/gateway'
import { run } from '../helpers/process'
import { clientOptions, runSftp } from '../helpers/ssh'
import type { Daemon } from '../helpers/daemons'
import type { Gateway } from '../helpers/gateway'

/** A busybox container with no sftp-server, scp or rsync in it. */
const BUSYBOX = 'c1'
/** A Debian container with sftp-server, scp, rsync, git and a user alice. */
const DEBIAN = 'd1'

/** sftp, scp (both modes), rsync and git through the gateway, against one real daemon. */
function describeFileTransfer(daemon: Daemon): void {
  describe(`file transfer on ${daemon.name}`, function () {
    this.timeout(120000)
    let gateway: Gateway
    let dir: string

    before(async function () {
      this.timeout(30000)
      await requireDaemon(daemon)
      gateway = await startGateway({ backend: daemon.socket })
      dir = await mkdtemp(join(tmpdir(), 'execgate-files-'))
    })

    after(async function () {
      this.timeout(30000)
      await gateway?.stop()
      await rm(dir, { recursive: true, force: true })
    })

    const sftpBatch = async (user: string, lines: string[]) => {
      const batch = join(dir, 'batch')
      await writeFile(batch, `${lines.join('\n')}\n`)
      return runSftp(gateway, user, batch)
    }
    const scp = (args: string[]) =>
      run('scp', [...clientOptions(gateway), '-P', String(gateway.port), ...args],
        { timeoutMs: 120000 })
    const inContainer = (container: string, script: string) =>
      containerExec(daemon, container, ['sh', '-c', script])

    describe('sftp into a container with no sftp-server', () => {
      it('puts, lists, renames, chmods, gets and removes files', async () => {
        const local = join(dir, 'hello.txt')
        await writeFile(local, 'hello over sftp\n')
        await inContainer(BUSYBOX, 'rm -rf /root/sftp-test')

        const r = await sftpBatch(BUSYBOX, [
          'mkdir /root/sftp-test',
          `put ${local} /root/sftp-test/a.txt`,
          'rename /root/sftp-test/a.txt /root/sftp-test/b.txt',
          'chmod 600 /root/sftp-test/b.txt',
          'ls -l /root/sftp-test',
          `get /root/sftp-test/b.txt ${join(dir, 'back.txt')}`,
        ])
        expect(r.code, `sftp exit status (${r.stderr})`).to.equal(0)
        expect(r.stdout.toString(), 'listing').to.match(/-rw-------.*b\.txt/)
        expect(await readFile(join(dir, 'back.txt'), 'utf8'), 'downloaded').to.equal(
          'hello over sftp\n')
        expect(await inContainer(BUSYBOX, 'stat -c %a /root/sftp-test/b.txt'), 'mode')
          .to.equal('600\n')

        const removed = await sftpBatch(BUSYBOX, ['rm /root/sftp-test/b.txt',
          'rmdir /root/sftp-test'])
        expect(removed.code, `rm exit status (${removed.stderr})`).to.equal(0)
        expect(await inContainer(BUSYBOX, 'ls /root'), 'after rm').to.not.include('sftp-test')
      })

      it('copies 300 MB up and down with identical sha256', async function () {
        this.timeout(300000)
        const local = join(dir, 'big.bin')
        await writeFile(local, randomBytes(300 * 1024 * 1024))
        const back = join(dir, 'big.back')

        const r = await sftpBatch(BUSYBOX, [`put ${local} /tmp/big.bin`,
          `get /tmp/big.bin ${back}`, 'rm /tmp/big.bin'])
        expect(r.code, `sftp exit status (${r.stderr})`).to.equal(0)
        expect(await sha256(back), 'sha256 after the round trip').to.equal(await sha256(local))
        await rm(local)
        await rm(back)
      })

      it('copies with scp in its default SFTP mode, both ways, with status 0', async () => {
        const local = join(dir, 'scp.txt')
        await writeFile(local, 'scp in sftp mode\n')
        const up = await scp([local, `${BUSYBOX}@127.0.0.1:/tmp/scp.txt`])
        expect(up.code, `scp up (${up.stderr})`).to.equal(0)

        const down = await scp([`${BUSYBOX}@127.0.0.1:/tmp/scp.txt`, join(dir, 'scp.back')])
        expect(down.code, `scp down (${down.stderr})`).to.equal(0)
        expect(await readFile(join(dir, 'scp.back'), 'utf8')).to.equal('scp in sftp mode\n')
      })

      it('copies a tree of small files with scp -r', async () => {
        const tree = await makeTree(join(dir, 'tree'))
        await inContainer(BUSYBOX, 'rm -rf /tmp/tree')

        const r = await scp(['-r', tree.root, `${BUSYBOX}@127.0.0.1:/tmp/tree`])
        expect(r.code, `scp -r (${r.stderr})`).to.equal(0)
        const listing = await inContainer(BUSYBOX, 'cd /tmp/tree && find . -type f | sort')
        expect(listing.trim().split('\n'), 'files in the container').to.deep.equal(tree.files)
        const sums = await inContainer(BUSYBOX, 'cd /tmp/tree && cat $(find . -type f | sort)')
        expect(sums, 'contents').to.equal(tree.contents)
      })

      it('fails scp -O and rsync with the shell\'s "not found", without hanging', async () => {
        const local = join(dir, 'legacy.txt')
        await writeFile(local, 'x\n')
        const legacy = await scp(['-O', local, `${BUSYBOX}@127.0.0.1:/tmp/legacy.txt`])
        expect(legacy.code, 'scp -O exit status').to.not.equal(0)
        expect(legacy.stderr, 'scp -O stderr').to.match(/scp: not found/)

        const rsync = await run('rsync', ['-a', '-e', rsyncShell(gateway), local,
          `${BUSYBOX}@127.0.0.1:/tmp/`], { timeoutMs: 30000 })
        expect(rsync.timedOut, 'rsync hung').to.equal(false)
        expect(rsync.code, 'rsync exit status').to.not.equal(0)
        expect(rsync.stderr, 'rsync stderr').to.match(/rsync: not found/)
      })

      it('refuses a stopped container with its message and status 255', async () => {
        const r = await sftpBatch('stopped1', ['pwd'])
        expect(r.code, 'sftp exit status').to.not.equal(0)
        expect(r.stderr, 'sftp stderr').to.include('execgate: container "stopped1" is not running')

        const copy = await scp([join(dir, 'hello.txt'), 'stopped1@127.0.0.1:/tmp/x'])
        expect(copy.code, 'scp exit status').to.not.equal(0)
        expect(copy.stderr, 'scp stderr').to.include('is not running')
      })

      it('refuses alice, whose files the daemon would write as root, naming why', async () => {
        const r = await sftpBatch(`alice@${BUSYBOX}`, ['pwd'])
        expect(r.code, 'sftp exit status').to.not.equal(0)
        expect(r.stderr, 'sftp stderr').to.include(
          `execgate: sftp as "alice" needs an sftp-server in container "${BUSYBOX}"`)
      })
    })

    describe('transfer into a Debian container with the usual programs', () => {
      it('writes files uploaded by alice as alice, through the container\'s sftp-server', async () => {
        const local = join(dir, 'alice.txt')
        await writeFile(local, 'mine\n')
        const r = await sftpBatch(`alice@${DEBIAN}`, ['pwd', `put ${local} alice.txt`])
        expect(r.code, `sftp exit status (${r.stderr})`).to.equal(0)
        expect(r.stdout.toString(), 'pwd is the home').to.include('/home/alice')
        expect(await inContainer(DEBIAN, 'stat -c %U:%G /home/alice/alice.txt'), 'owner')
          .to.equal('alice:alice\n')
      })

      it('uses the container\'s sftp-server for root when sftp.server is container', async () => {
        const preferring = await startGateway({
          backend: daemon.socket,
          config: { sftp: { server: 'container' } },
        })
        try {
          const batch = join(dir, 'pwd-batch')
          await writeFile(batch, 'pwd\n')
          const inDebian = await runSftp(preferring, DEBIAN, batch)
          const inBusybox = await runSftp(preferring, BUSYBOX, batch)
          expect(inDebian.code, `sftp to ${DEBIAN} (${inDebian.stderr})`).to.equal(0)
          expect(inBusybox.code, `sftp to ${BUSYBOX} (${inBusybox.stderr})`).to.equal(0)

          const routes = preferring.events('sftp_route').map((line) => line.route)
          expect(routes, 'the container\'s server, then the daemon\'s for lack of one')
            .to.deep.equal(['container', 'daemon'])
        } finally {
          await preferring.stop()
        }
      })

      it('copies with scp -O, the legacy protocol', async () => {
        const local = join(dir, 'legacy.txt')
        await writeFile(local, 'legacy scp\n')
        const up = await scp(['-O', local, `${DEBIAN}@127.0.0.1:/tmp/legacy.txt`])
        expect(up.code, `scp -O up (${up.stderr})`).to.equal(0)
        const down = await scp(['-O', `${DEBIAN}@127.0.0.1:/tmp/legacy.txt`,
          join(dir, 'legacy.back')])
        expect(down.code, `scp -O down (${down.stderr})`).to.equal(0)
        expect(await readFile(join(dir, 'legacy.back'), 'utf8')).to.equal('legacy scp\n')
      })

      it('syncs with rsync -e ssh, and a second run transfers nothing', async () => {
        const tree = await makeTree(join(dir, 'rsync-src'))
        await inContainer(DEBIAN, 'rm -rf /tmp/rsync-dst')
        const sync = () => run('rsync', ['-a', '--stats', '-e', rsyncShell(gateway),
          `${tree.root}/`, `${DEBIAN}@127.0.0.1:/tmp/rsync-dst/`], { timeoutMs: 60000 })

        const first = await sync()
        expect(first.code, `first rsync (${first.stderr})`).to.equal(0)
        expect(first.stdout.toString(), 'first run').to.match(
          new RegExp(`files transferred: ${tree.files.length}\\b`))
        const second = await sync()
        expect(second.code, `second rsync (${second.stderr})`).to.equal(0)
        expect(second.stdout.toString(), 'second run').to.match(/files transferred: 0\b/)
      })

      it('clones and pushes a git repository over ssh', async () => {
        await inContainer(DEBIAN, 'rm -rf /srv/repo.git && git init -q --bare /srv/repo.git')
        const env = { GIT_SSH_COMMAND: rsyncShell(gateway) }
        const git = (args: string[], cwd?: string) =>
          run('git', cwd ? ['-C', cwd, ...args] : args, { env, timeoutMs: 60000 })
        const work = join(dir, 'clone')

        const clone = await git(['clone', '-q', `${DEBIAN}@127.0.0.1:/srv/repo.git`, work])
        expect(clone.code, `git clone (${clone.stderr})`).to.equal(0)
        await writeFile(join(work, 'README'), 'pushed through execgate\n')
        await git(['add', 'README'], work)
        const commit = await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm',
          'first'], work)
        expect(commit.code, `git commit (${commit.stderr})`).to.equal(0)
        const push = await git(['push', '-q', 'origin', 'HEAD:refs/heads/main'], work)
        expect(push.code, `git push (${push.stderr})`).to.equal(0)

        const shown = await inContainer(DEBIAN, 'git --git-dir=/srv/repo.git show main:README')
        expect(shown, 'file in the pushed commit').to.equal('pushed through execgate\n')
      })
    })
  })
}

/** The `-e` of rsync and GIT_SSH_COMMAND: ssh with the test's options, as one string. */
function rsyncShell(gateway: Gateway): string {
  return ['ssh', ...clientOptions(gateway), '-p', String(gateway.port)].join(' ')
}

async function makeTree(root: string) {
  const files: string[] = []
  let contents = ''
  for (let d = 0; d < 3; d++) {
    await mkdir(join(root, `dir${d}`), { recursive: true })
    for (let f = 0; f < 10; f++) {
      const name = `./dir${d}/file${f}.txt`
      const text = `file ${d}/${f} ${randomBytes(4).toString('hex')}\n`
      await writeFile(join(root, name), text)
      files.push(name)
    }
  }
  files.sort()
  for (const name of files) contents += await readFile(join(root, name), 'utf8')
  return { root, files, contents }
}

async function sha256(path: string): Promise<string> {
  await stat(path)
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

for (const daemon of DAEMONS) describeFileTransfer(daemon)
