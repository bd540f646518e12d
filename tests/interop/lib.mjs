// Shared by the interop scripts: the project's programs, driven as
// child processes, and a tiny TAP-style reporter.  Every child is ended
// by its pid when the script ends.
import { spawn, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

export const BUILD = process.env.OA_BUILD_ROOT
if (!BUILD) {
  console.error('OA_BUILD_ROOT is not set: run through meson test')
  process.exit(2)
}
export const OATOOL = join(BUILD, 'tests', 'oatool')
export const DRIVE = join(BUILD, 'tests', 'walletd_drive')
export const WALLETD = join(BUILD, 'openagents-walletd')
export const OA = join(BUILD, 'openagents')

const children = new Set()
// whatever happens, nothing a test started outlives it
process.on('exit', () => { for (const c of children) c.kill('SIGKILL') })

// a child process to end, by its pid, when the script ends
export function track (proc) {
  children.add(proc)
  proc.on('exit', () => children.delete(proc))
  return proc
}
let passes = 0
let fails = 0

export function ok (cond, desc, extra) {
  if (cond) {
    passes++
    console.log(`ok - ${desc}`)
  } else {
    fails++
    console.log(`not ok - ${desc}`)
    if (extra !== undefined) console.log(`#   ${String(extra).split('\n').join('\n#   ')}`)
  }
}

export function finish () {
  for (const c of children) c.kill('SIGKILL')
  console.log(`${passes} passed, ${fails} failed`)
  process.exit(fails === 0 ? 0 : 1)
}

export function tempdir () {
  const d = mkdtempSync(join(tmpdir(), 'oa-interop-'))
  process.on('exit', () => rmSync(d, { recursive: true, force: true }))
  return d
}

// A self-signed EC certificate for localhost and 127.0.0.1, a day long,
// made by openssl in dir: the TLS servers the tests stand up.
export function selfSignedCert (dir) {
  const key = join(dir, 'tls-key.pem')
  const cert = join(dir, 'tls-cert.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore', timeout: 30000 })
  return { key, cert }
}

export function oatool (args, input) {
  return execFileSync(OATOOL, args, { input, encoding: 'utf8', timeout: 60000 }).trim()
}

// A provider identity made by `openagents provider init`.
export function initProvider (dir) {
  mkdirSync(dir, { recursive: true })
  const pass = join(dir, 'pass')
  writeFileSync(pass, 'correct horse battery staple\n', { mode: 0o600 })
  const out = execFileSync(OA, ['provider', 'init', '--json', '--passphrase-file', pass], {
    env: { ...process.env, OPENAGENTS_HOME: join(dir, 'home') },
    encoding: 'utf8',
    timeout: 60000
  })
  return { ...JSON.parse(out), passfile: pass }
}

// walletd behind walletd_drive: one request line in, one answer line out.
export class Walletd {
  constructor (identity, passfile) {
    this.stderr = ''
    this.proc = spawn(DRIVE, [WALLETD, identity, passfile], { stdio: ['pipe', 'pipe', 'pipe'] })
    children.add(this.proc)
    this.proc.on('exit', () => children.delete(this.proc))
    this.proc.stderr.on('data', (d) => { this.stderr += d })
    this.lines = []
    this.waiters = []
    createInterface({ input: this.proc.stdout }).on('line', (l) => {
      const w = this.waiters.shift()
      if (w) w(l); else this.lines.push(l)
    })
  }

  next (ms = 20000) {
    if (this.lines.length > 0) return Promise.resolve(this.lines.shift())
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('walletd_drive: no answer in time')), ms)
      this.waiters.push((l) => { clearTimeout(t); resolve(l) })
    })
  }

  async ask (line) {
    this.proc.stdin.write(line + '\n')
    return this.next()
  }

  close () {
    this.proc.stdin.end()
  }
}
