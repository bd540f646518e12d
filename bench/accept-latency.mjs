// P2: job accept latency, from the request frame reaching the supervisor
// to the signed kind-7000 "processing" frame leaving it for relayd
// (ledger insert, judgement, walletd's signature; relay time excluded).
// The supervisor logs "job ID: accepted in N us" at debug level; this
// script posts N SandboxRun requests through the npm relay, one at a
// time, and prints the median and the 99th percentile of those lines.
// "busy" (the default) lets the jobs run, four at a time, so that every
// accept competes with other jobs' phases; "queued" keeps one job
// running (sleep 100) so that the others wait, which leaves the accept
// path alone.
//
// usage: OA_BUILD_ROOT=build node bench/accept-latency.mjs [N] [busy|queued]
import { createRequire } from 'node:module'
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'

const require = createRequire(new URL('../tests/interop/package.json', import.meta.url))
const { finalizeEvent, generateSecretKey } = require('nostr-tools/pure')
const { Relay, useWebSocketImplementation } = require('nostr-tools/relay')
useWebSocketImplementation(require('ws'))

const BUILD = resolve(process.env.OA_BUILD_ROOT || 'build')
const OA = join(BUILD, 'openagents')
const N = Number(process.argv[2] || 200)
const MODE = process.argv[3] || 'busy'
if (MODE !== 'busy' && MODE !== 'queued') { console.error('mode: busy or queued'); process.exit(2) }
const dir = mkdtempSync(join(tmpdir(), 'oa-p2-'))
const children = []
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }) })

function relay () {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [new URL('../tests/interop/relay.mjs', import.meta.url).pathname,
      '--port', '0', '--db', join(dir, 'relay.db')], { stdio: ['ignore', 'pipe', 'ignore'] })
    children.push(p)
    createInterface({ input: p.stdout }).on('line', (l) => {
      const m = /^ready (\d+)$/.exec(l)
      if (m) resolve(Number(m[1]))
    })
    p.on('exit', (c) => reject(new Error(`relay exited ${c}`)))
  })
}

const home = join(dir, 'home')
const pass = join(dir, 'pass')
writeFileSync(pass, 'bench passphrase\n', { mode: 0o600 })
const env = { ...process.env, OPENAGENTS_HOME: home, OPENAGENTS_PASSPHRASE_FILE: pass }
const id = JSON.parse(execFileSync(OA, ['provider', 'init', '--json', '--passphrase-file', pass], { env, encoding: 'utf8' }))
// a one-commit repository for the SandboxRun jobs to fetch
const repo = join(dir, 'repo')
execFileSync('sh', ['-c', `git init -q ${repo} && cd ${repo} && echo x > f && git add f && ` +
  'git -c user.name=b -c user.email=b@b commit -qm init'])
const port = await relay()
const cfg = join(home, 'provider', 'config.toml')
let text = readFileSync(cfg, 'utf8')
text = text.replace(/^urls = .*$/m, `urls = ["ws://127.0.0.1:${port}"]`)
text = text.replace(/^mode = "pay_after_verify"$/m, 'mode = "free"')
text = text.replace(/^allow_local_repos = .*$/m, `allow_local_repos = [${JSON.stringify(dir)}]`)
writeFileSync(cfg, text)
const daemon = spawn(OA, ['provider', 'serve', '--foreground', '--verbose', '--capacity', MODE === 'busy' ? '4' : '1',
  '--job-types', 'SandboxRun', '--isolation', 'local', '--agent', 'command:/bin/true'],
{ env, stdio: ['ignore', 'ignore', 'pipe'] })
children.push(daemon)
const lat = []
let log = ''
createInterface({ input: daemon.stderr }).on('line', (l) => {
  log += l + '\n'
  const m = /accepted in (\d+) us/.exec(l)
  if (m) lat.push(Number(m[1]))
})
for (let i = 0; i < 200 && !/provider online/.test(log); i++) await sleep(100)
if (!/provider online/.test(log)) { console.error(log); process.exit(1) }

const r = await Relay.connect(`ws://127.0.0.1:${port}`)
const buyers = Array.from({ length: Math.ceil(N / 20) }, () => generateSecretKey())
for (let i = 0; i < N; i++) {
  const ev = finalizeEvent({
    kind: 5930,
    created_at: Math.floor(Date.now() / 1000),
    tags: [['i', `file://${repo}`, 'url'], ['param', 'repo_ref', 'HEAD'],
      ['param', 'command', MODE === 'busy' ? 'true' : 'sleep 100'], ['param', 'max_cost_sats', '1000'], ['p', id.pubkey_hex || id.pubkey]],
    content: `p2 ${i}`
  }, buyers[Math.floor(i / 20)])
  await r.publish(ev)
  const want = i + 1
  for (let k = 0; k < 100 && lat.length < want; k++) await sleep(5)
}
r.close()
lat.sort((a, b) => a - b)
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]
console.log(JSON.stringify({ mode: MODE, n: lat.length, p50_us: q(0.5), p99_us: q(0.99), max_us: lat[lat.length - 1] }))
process.exit(0)
