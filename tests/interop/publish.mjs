// relayd publishing, driven over its channel by relayd_drive (standing in
// for the supervisor) against two npm relays: one overall outcome per
// event, OK tracked per relay, and a relay that is down when the event
// is published gets it once it is back.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { ok, finish, tempdir, track, BUILD } from './lib.mjs'
import { fetchEvents } from './buyer.mjs'

const dir = tempdir()
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const RELAYD = join(BUILD, 'openagents-relayd')
const DRIVE = join(BUILD, 'tests', 'relayd_drive')

function startRelay (port, db, extra = []) {
  return new Promise((resolve, reject) => {
    const p = track(spawn(process.execPath, ['relay.mjs', '--port', String(port), '--db', db, ...extra], { stdio: ['ignore', 'pipe', 'ignore'] }))
    const t = setTimeout(() => reject(new Error('relay not ready')), 20000)
    createInterface({ input: p.stdout }).on('line', (l) => {
      const m = /^ready (\d+)$/.exec(l)
      if (m) { clearTimeout(t); resolve({ proc: p, port: Number(m[1]) }) }
    })
  })
}

const A = await startRelay(0, join(dir, 'a.db'))
// B announces a small max_message_length in its NIP-11 document
const B = await startRelay(0, join(dir, 'b.db'), ['--max-message', '4096'])
const urlA = `ws://127.0.0.1:${A.port}`
const urlB = `ws://127.0.0.1:${B.port}`

let stderr = ''
const drive = track(spawn(DRIVE, [RELAYD, urlA, urlB], { stdio: ['pipe', 'pipe', 'pipe'] }))
drive.stderr.on('data', (d) => { stderr += d })
const lines = []
const waiters = []
createInterface({ input: drive.stdout }).on('line', (l) => {
  const w = waiters.shift()
  if (w) w(l); else lines.push(l)
})
function ask (cmd, ms = 60000) {
  drive.stdin.write(cmd + '\n')
  if (lines.length > 0) return Promise.resolve(lines.shift())
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer to ${cmd}`)), ms)
    waiters.push((l) => { clearTimeout(t); resolve(l) })
  })
}

const sk = generateSecretKey()
const sign = (content) => finalizeEvent({ kind: 7000, created_at: Math.floor(Date.now() / 1000), tags: [['status', 'processing']], content }, sk)

ok(await ask('wait-open 2') === 'open 2', 'relayd opens both relays', stderr)

const e1 = sign('first')
ok(await ask('publish ' + JSON.stringify(e1)) === 'published 2 0 2 ', 'an event published on two relays: one outcome, both OK')
for (const url of [urlA, urlB]) {
  const got = await fetchEvents(url, { ids: [e1.id] }, 5000)
  ok(got.length === 1, `and it is stored on ${url}`)
}

// a relay down when the event goes out gets it when it is back
A.proc.kill('SIGKILL')
await sleep(300)
const e2 = sign('second')
const pending = ask('publish ' + JSON.stringify(e2))
await sleep(500)
const A2 = await startRelay(A.port, join(dir, 'a.db'))
const out = await pending
ok(out === 'published 2 0 2 ', 'a relay restarted within the publish timeout still gets the event', out + '\n' + stderr.slice(-1500))
const gotA = await fetchEvents(urlA, { ids: [e2.id] }, 5000)
ok(gotA.length === 1, 'it is stored on the restarted relay')

// a refused event: one outcome, with the relay's reason
const forged = sign('third')
forged.sig = (forged.sig[0] === '0' ? '1' : '0') + forged.sig.slice(1)
const refused = await ask('publish ' + JSON.stringify(forged))
ok(/^published 0 2 2 ws:\/\/127\.0\.0\.1:\d+: \S/.test(refused), 'an event both relays refuse is one failed outcome, with a reason', refused)

// larger than B's NIP-11 max_message_length: not sent there, said why
const big = sign('x'.repeat(6000))
const bigOut = await ask('publish ' + JSON.stringify(big))
ok(/^published 1 1 2 .*max_message_length 4096/.test(bigOut), "an event over a relay's NIP-11 max_message_length is not sent to it", bigOut)
ok((await fetchEvents(urlA, { ids: [big.id] }, 5000)).length === 1, 'but goes to the other relay')

const st = await ask('stats')
ok(st.startsWith('relay '), 'stats answer', st)

drive.stdin.end()
await new Promise((resolve) => { drive.once('exit', resolve); setTimeout(resolve, 5000) })
A2.proc.kill('SIGTERM'); B.proc.kill('SIGTERM')
finish()
