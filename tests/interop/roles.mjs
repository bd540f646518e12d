// Relay roles in relayd, driven over its channel by relayd_drive (standing
// in for the supervisor) against three npm relays: J for jobs, W for the
// wallet and B for both.  Subscriptions go only to the relays of their
// roles, each relay's EOSE is reported, a wallet request goes out only
// where the wallet subscription stands (EOSE seen on that connection) and
// only to wallet relays, a jobs event never reaches a wallet-only relay,
// and a reload that changes roles keeps the connections.
//
// W and B hold every REQ for REQ_DELAY ms (relay.mjs --req-delay), so
// "before the EOSE" is a window of known length, not a race.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { ok, finish, tempdir, track, BUILD } from './lib.mjs'
import { postJob } from './buyer.mjs'

const dir = tempdir()
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const RELAYD = join(BUILD, 'openagents-relayd')
const DRIVE = join(BUILD, 'tests', 'relayd_drive')
const REQ_DELAY = 2500

// every relay logs what it receives (--verbose): who got which REQ, CLOSE, EVENT
function startRelay (name, port, extra = []) {
  return new Promise((resolve, reject) => {
    const p = track(spawn(process.execPath, ['relay.mjs', '--port', String(port), '--db', join(dir, `${name}.db`), '--verbose', ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] }))
    const r = { name, proc: p, port: 0, log: '' }
    p.stderr.on('data', (d) => { r.log += d })
    const t = setTimeout(() => reject(new Error(`relay ${name} not ready`)), 20000)
    createInterface({ input: p.stdout }).on('line', (l) => {
      const m = /^ready (\d+)$/.exec(l)
      if (m) { clearTimeout(t); r.port = Number(m[1]); r.url = `ws://127.0.0.1:${r.port}`; resolve(r) }
    })
  })
}

async function stopRelay (r, signal = 'SIGTERM') {
  if (r.proc.exitCode !== null || r.proc.signalCode !== null) return
  const gone = new Promise((resolve) => r.proc.once('exit', resolve))
  r.proc.kill(signal)
  await Promise.race([gone, sleep(5000)])
}

const [J, W, B] = await Promise.all([startRelay('j', 0),
  startRelay('w', 0, ['--req-delay', String(REQ_DELAY)]),
  startRelay('b', 0, ['--req-delay', String(REQ_DELAY)])])
// relayd's ids: the places in the first list
const ID = { 0: 'J', 1: 'W', 2: 'B' }

let stderr = ''
const drive = track(spawn(DRIVE, [RELAYD, `jobs=${J.url}`, `wallet=${W.url}`, `both=${B.url}`], { stdio: ['pipe', 'pipe', 'pipe'] }))
drive.stderr.on('data', (d) => { stderr += d })

// answers in order; "event" and "eose" lines come whenever relayd sends them
const answers = []
const answerWaiters = []
const reports = []
createInterface({ input: drive.stdout }).on('line', (l) => {
  if (/^(event|eose) /.test(l)) { reports.push(l); return }
  const w = answerWaiters.shift()
  if (w) w(l); else answers.push(l)
})
function answer (what, ms = 60000) {
  if (answers.length > 0) return Promise.resolve(answers.shift())
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer to ${what}`)), ms)
    answerWaiters.push((l) => { clearTimeout(t); resolve(l) })
  })
}
function ask (cmd, ms = 60000) {
  drive.stdin.write(cmd + '\n')
  return answer(cmd, ms)
}
async function waitFor (what, cond, ms = 15000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (cond()) return true
    await sleep(50)
  }
  ok(false, `in time: ${what}`, stderr.slice(-2000))
  return false
}
const eoses = (sub) => reports.filter((l) => l.startsWith(`eose ${sub} `)).map((l) => ID[l.split(' ')[2]]).sort().join(',')
const eventsFor = (sub) => reports.filter((l) => l.startsWith(`event ${sub} `))
const reqs = (r, sub) => (r.log.match(new RegExp(`< \\S+ \\["REQ","${sub}"`, 'g')) || []).length
const closes = (r, sub) => (r.log.match(new RegExp(`< \\S+ \\["CLOSE","${sub}"`, 'g')) || []).length
const connects = (r) => (r.log.match(/ connect /g) || []).length
const received = (r, ev) => r.log.includes(ev.id)
// "relay URL STATE IN OUT REJECTS ERRORS ROLES", one line per relay
async function stats (nrelays) {
  drive.stdin.write('stats\n')
  const out = {}
  for (let i = 0; i < nrelays; i++) {
    const w = (await answer('stats', 10000)).split(' ')
    for (const r of [J, W, B]) if (w[1] === r.url) out[r.name] = { state: Number(w[2]), roles: Number(w[7]) }
  }
  return out
}

const me = generateSecretKey()
const pk = getPublicKey(me)
const sign = (kind, content, tags = []) => finalizeEvent({ kind, created_at: Math.floor(Date.now() / 1000), tags, content }, me)

ok(await ask('wait-open 3') === 'open 3', 'relayd opens the three relays', stderr)

// 1. a subscription goes only to the relays of its roles
ok(await ask(`subscribe jsub jobs ${JSON.stringify({ kinds: [5932] })}`) === 'subscribed jsub', 'a jobs subscription')
ok(await ask(`subscribe wsub wallet ${JSON.stringify({ kinds: [23195], '#p': [pk] })}`) === 'subscribed wsub', 'a wallet subscription')

// 2. a wallet request while the wallet subscription is not standing yet
const early = sign(23194, 'early')
const earlyOut = await ask(`publish wallet ${JSON.stringify(early)}`)
ok(earlyOut === 'published 0 2 2 subscription not open', 'a wallet request before the EOSE fails on both wallet relays, "subscription not open"', earlyOut)

await waitFor('EOSE from every relay of each subscription', () => eoses('jsub') === 'B,J' && eoses('wsub') === 'B,W', 3 * REQ_DELAY + 10000)
ok(eoses('jsub') === 'B,J', 'the jobs subscription has its EOSE reported from J and B, once each', reports.join('\n'))
ok(eoses('wsub') === 'B,W', 'the wallet subscription has its EOSE reported from W and B, once each', reports.join('\n'))
ok(reqs(J, 'jsub') === 1 && reqs(J, 'wsub') === 0, 'J (jobs) got the jobs REQ and not the wallet one', J.log.slice(-1500))
ok(reqs(W, 'wsub') === 1 && reqs(W, 'jsub') === 0, 'W (wallet) got the wallet REQ and not the jobs one', W.log.slice(-1500))
ok(reqs(B, 'jsub') === 1 && reqs(B, 'wsub') === 1, 'B (both) got both REQs')
ok(!received(W, early) && !received(B, early) && !received(J, early), 'the early wallet request reached no relay')

// 3. after the EOSE: the wallet request goes to the wallet relays only
const req = sign(23194, 'request')
const reqOut = await ask(`publish wallet ${JSON.stringify(req)}`)
ok(reqOut === 'published 2 0 2 ', 'after the EOSE a wallet request goes out, OK from both wallet relays', reqOut)
ok(received(W, req) && received(B, req), 'W and B received it')
await sleep(300)
ok(!received(J, req), 'J (jobs only) did not')

// 4. a jobs event: J and B, never W; roles 0 are jobs
const res = sign(6932, 'result')
const resOut = await ask(`publish jobs ${JSON.stringify(res)}`)
ok(resOut === 'published 2 0 2 ', 'a jobs event goes to the two jobs relays', resOut)
const res0 = sign(7000, 'feedback', [['status', 'processing']])
const res0Out = await ask(`publish ${JSON.stringify(res0)}`)
ok(res0Out === 'published 2 0 2 ', 'a publication without roles is a jobs one', res0Out)
await sleep(300)
ok(received(J, res) && received(B, res) && received(J, res0) && received(B, res0), 'J and B received them')
ok(!received(W, res) && !received(W, res0), 'the wallet-only relay never did')

// 5. events come only through the relays of their subscription
const other = generateSecretKey()
const jobOnW = await postJob(W.url, other, { kind: 5932, tags: [], content: 'posted on W' })
const jobOnJ = await postJob(J.url, other, { kind: 5932, tags: [], content: 'posted on J' })
const answerOnJ = await postJob(J.url, other, { kind: 23195, tags: [['p', pk]], content: 'wallet answer on J' })
const answerOnW = await postJob(W.url, other, { kind: 23195, tags: [['p', pk]], content: 'wallet answer on W' })
await waitFor('the events of the subscriptions', () => eventsFor('jsub').some((l) => l.includes(jobOnJ.id)) &&
  eventsFor('wsub').some((l) => l.includes(answerOnW.id)))
await sleep(300)
ok(eventsFor('jsub').some((l) => l.startsWith('event jsub 0 ') && l.includes(jobOnJ.id)), 'a job posted on J arrives through the jobs subscription')
ok(!reports.some((l) => l.includes(jobOnW.id)), 'a job posted on W (wallet only) does not')
ok(eventsFor('wsub').some((l) => l.startsWith('event wsub 1 ') && l.includes(answerOnW.id)), 'a wallet answer posted on W arrives through the wallet subscription')
ok(!reports.some((l) => l.includes(answerOnJ.id)), 'one posted on J (jobs only) does not')

// 6. a reload changes roles: J becomes both, W jobs; the connections stay
const before = { J: connects(J), W: connects(W), B: connects(B) }
ok(await ask(`reload both=${J.url} jobs=${W.url} both=${B.url}`) === 'reloaded 3', 'reload with new roles')
await waitFor('the REQ and CLOSE of the new roles', () => reqs(J, 'wsub') === 1 && closes(W, 'wsub') === 1 && reqs(W, 'jsub') === 1)
ok(reqs(J, 'wsub') === 1, 'J, now both, gets the wallet REQ')
ok(closes(W, 'wsub') === 1 && reqs(W, 'jsub') === 1, 'W, now jobs, gets a CLOSE for the wallet subscription and the jobs REQ')
ok(reqs(B, 'jsub') === 1 && reqs(B, 'wsub') === 1 && closes(B, 'wsub') === 0, 'B, unchanged, gets nothing new')
const st = await stats(3)
ok(st.j?.roles === 3 && st.w?.roles === 1 && st.b?.roles === 3, 'stats show the new roles', JSON.stringify(st))
ok(connects(J) === before.J && connects(W) === before.W && connects(B) === before.B, 'no relay was reconnected', JSON.stringify(before))
await waitFor('EOSE of the new subscriptions', () => eoses('wsub') === 'B,J,W' && eoses('jsub') === 'B,J,W', 3 * REQ_DELAY + 10000)
ok(eoses('wsub') === 'B,J,W' && eoses('jsub') === 'B,J,W', 'and their EOSE are reported', reports.join('\n'))
const req2 = sign(23194, 'request after reload')
const req2Out = await ask(`publish wallet ${JSON.stringify(req2)}`)
ok(req2Out === 'published 2 0 2 ', 'a wallet request now goes to J and B', req2Out)
await sleep(300)
ok(received(J, req2) && received(B, req2) && !received(W, req2), 'J and B received it, W did not')
await waitFor('the job stored on W', () => reports.some((l) => l.startsWith('event jsub 1 ') && l.includes(jobOnW.id)))
ok(reports.some((l) => l.startsWith('event jsub 1 ') && l.includes(jobOnW.id)), 'the job stored on W arrives from W now that it is a jobs relay')

// 7. a reconnect resets the EOSE: B restarted, the request fails there until its new EOSE
await stopRelay(B, 'SIGKILL')
await sleep(300)
const B2 = await startRelay('b', B.port, ['--req-delay', String(REQ_DELAY)])
ok(await ask('wait-open 3') === 'open 3', 'relayd reconnects to B')
const n = reports.length
const req3 = sign(23194, 'request after reconnect')
const req3Out = await ask(`publish wallet ${JSON.stringify(req3)}`)
ok(req3Out === 'published 1 1 2 subscription not open', 'right after the reconnect a wallet request fails on B, not on J', req3Out)
await waitFor("B's new EOSE", () => reports.slice(n).filter((l) => / 2$/.test(l)).length === 2, 3 * REQ_DELAY + 10000)
ok(reports.slice(n).filter((l) => /^eose (jsub|wsub) 2$/.test(l)).length === 2, 'B reports the EOSE of both subscriptions again', reports.slice(n).join('\n'))
const req4 = sign(23194, 'request after new EOSE')
ok(await ask(`publish wallet ${JSON.stringify(req4)}`) === 'published 2 0 2 ', 'then the request goes to both again')

// 8. no wallet relay: as a publication with no relays
ok(await ask('unsubscribe wsub') === 'unsubscribed wsub', 'the wallet subscription is dropped')
await waitFor('the CLOSE', () => closes(J, 'wsub') === 1 && closes(B2, 'wsub') === 1)
ok(closes(J, 'wsub') === 1 && closes(B2, 'wsub') === 1 && closes(W, 'wsub') === 1, 'with a CLOSE to the relays where it stood, none again to W')
ok(await ask(`reload jobs=${J.url} jobs=${W.url}`) === 'reloaded 2', 'a reload without wallet relays')
const lone = sign(23194, 'no wallet relay')
ok(await ask(`publish wallet ${JSON.stringify(lone)}`) === 'published 0 0 0 ', 'a wallet request with no wallet relay fails as with no relays at all')

drive.stdin.end()
await new Promise((resolve) => { drive.once('exit', resolve); setTimeout(resolve, 5000) })
for (const r of [J, W, B2]) await stopRelay(r)
finish()
