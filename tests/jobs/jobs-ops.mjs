// The operator's controls over a running provider: the NIP-89
// announcement (kind 31990) and what it says, provider pause and resume
// (kept across a restart in the `paused` file), the schedule, the status
// lines, and provider stop withdrawing the announcement (kind 5) before
// the daemon exits.  Payments are free; one relay (relay9.mjs, which
// keeps and forwards kind-5 deletions).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  HERE, OA, deadline, bringUp, post, sandboxJob, generateSecretKey, check, finish, codesOf, statusOf,
  tagOf, tagsOf, until, sleep, npm, fetchEvents, stopProc, now, resultOf
} from './jobslib.mjs'

deadline(270000)
const { Relay } = await npm('nostr-tools/relay')

const world = await bringUp({ capacity: 2, payments: 'free', relayScript: join(HERE, 'relay9.mjs') })
const { d, col, pk, fx } = world
const [A] = world.relays
const D = 'openagents-provider'
const KINDS = { PatchGen: '5932', CodeReview: '5933', SandboxRun: '5930' }
const paused = join(d.home, 'provider', 'paused')

// every 31990 and kind 5 of the provider, in the order they arrive
const anns = []
const sub = await Relay.connect(A.url)
sub.subscribe([{ kinds: [31990, 5], authors: [pk], since: now() - 120 }], {
  onevent: (e) => { e.arrival = anns.length; anns.push(e) }
})
const ann31990 = () => anns.filter((e) => e.kind === 31990)
// the first 31990 after `after` events that pred accepts
const nextAnn = (after, pred, ms = 20000) =>
  until(() => ann31990().find((e) => e.arrival >= after && pred(e)), ms, 100)
const isOnline = (e) => statusOf(e) === 'online'
const isOffline = (e) => statusOf(e) === 'offline'
const ks = (e) => tagsOf(e, 'k').map((t) => t[1]).sort()

function ctl (...args) {
  const r = spawnSync(OA, ['provider', ...args], { env: d.env, encoding: 'utf8', timeout: 30000 })
  return { code: r.status, out: (r.stdout || '') + (r.stderr || '') }
}
const statusText = () => ctl('status').out

// A request addressed to the provider is refused with E005.
async function refused (what) {
  const req = await post([A.url], generateSecretKey(), sandboxJob(fx, 'echo no', { provider: pk }))
  const fb = await col.waitFor(req.id, (e) => e.kind === 7000 && statusOf(e) === 'error', 20000)
  check(fb && codesOf(fb).includes('E005') && /not taking jobs/.test(tagOf(fb, 'status')?.[2] || ''),
    `${what}: a request for the provider gets a 7000 error E005 "not taking jobs"`, JSON.stringify(fb?.tags))
  await sleep(500)
  check(col.results(req.id).every((e) => resultOf(e, 'exit_code') === undefined),
    `${what}: the refused request is not run`, JSON.stringify(col.results(req.id).map((e) => e.tags)))
}

async function served (what) {
  const req = await post([A.url], generateSecretKey(), sandboxJob(fx, 'echo ops-served', { provider: pk }))
  const res = await col.waitFor(req.id, (e) => e.kind === 6930, 90000)
  check(res && resultOf(res, 'exit_code') === '0' && res.content.includes('ops-served'),
    `${what}: a SandboxRun job is taken and run`, d.tail())
  return res
}

// --- the announcement at start ------------------------------------------

const first = await nextAnn(0, isOnline)
if (check(first, 'a kind-31990 announcement from the provider, status online', d.tail())) {
  check(tagOf(first, 'd')?.[1] === D, `d tag ${D}`, JSON.stringify(first.tags))
  check(JSON.stringify(ks(first)) === JSON.stringify(Object.values(KINDS).sort()),
    'k tags 5930, 5932, 5933 for the enabled types', JSON.stringify(ks(first)))
  const caps = tagsOf(first, 'capability').map((t) => t[1]).sort()
  check(JSON.stringify(caps) === JSON.stringify(Object.keys(KINDS).sort()), 'a capability tag per type', JSON.stringify(caps))
  const prices = tagsOf(first, 'price')
  check(Object.keys(KINDS).every((n) => prices.some((t) => t[1] === n && t[2] === '0' && t[3] === 'sats')),
    'a price tag per type (0 sats: payments are free)', JSON.stringify(prices))
  check(tagOf(first, 'capacity')?.[1] === '2', 'capacity 2', JSON.stringify(tagOf(first, 'capacity')))
  check(tagOf(first, 'isolation')?.[1] === d.opts.isolation || tagOf(first, 'isolation')?.[1] === world.st.isolation,
    `isolation ${world.st.isolation}`, JSON.stringify(tagOf(first, 'isolation')))
  check(tagOf(first, 'tier')?.[1] === '0', 'tier "0"', JSON.stringify(tagOf(first, 'tier')))
  check(tagOf(first, 'jobs_completed')?.[1] === '0', 'jobs_completed 0', JSON.stringify(tagOf(first, 'jobs_completed')))
  check(JSON.parse(first.content || '{}').name !== undefined, 'the content is NIP-89 metadata JSON', first.content)
}
const st0 = d.status()
check(st0 && st0.paused === false && st0.taking_jobs === true && st0.tier === 0 && st0.jobs_today === 0,
  'status --json: not paused, taking jobs, tier 0, 0 jobs today', JSON.stringify(st0))
const t0 = statusText()
for (const re of [/^Status: ONLINE$/m, /^Capacity: 2\/2 workers available$/m, /^Jobs today: 0 completed, 0 in progress$/m,
  /^Earnings today: 0 sats$/m, /^Success rate: - \(no finished jobs yet\)$/m, /^Tier: 0$/m, /^Wallet: \S+/m]) {
  check(re.test(t0), `status shows ${re.source}`, t0)
}

// --- pause ----------------------------------------------------------------

let mark = anns.length
let r = ctl('pause')
check(r.code === 0, 'provider pause exits 0', r.out)
const off = await nextAnn(mark, isOffline)
if (check(off, 'pause: a newer 31990 says status offline', d.tail())) {
  check(ks(off).length === 0 && tagsOf(off, 'capability').length === 0, 'pause: the offline one lists no k tags',
    JSON.stringify(off.tags))
  check(off.created_at >= first.created_at && tagOf(off, 'd')?.[1] === D, 'pause: it replaces the first (same d, not older)')
  check(tagOf(off, 'capacity')?.[1] === '0', 'pause: capacity 0')
}
check(existsSync(paused), 'pause writes the paused file')
await refused('paused')
let st = d.status()
check(st && st.paused === true && st.taking_jobs === false, 'status --json: paused, not taking jobs', JSON.stringify(st))
check(/^Status: ONLINE \(paused: no new jobs\)$/m.test(statusText()), 'provider status shows paused', statusText())

// --- a restart keeps the pause --------------------------------------------

await d.stop()
check(d.proc.exitCode === 0, 'the daemon stops on SIGTERM', d.tail())
check(existsSync(paused), 'the paused file survives the stop')
mark = anns.length
d.start()
check(await d.waitReady(30000), 'the daemon serves again', d.tail())
st = d.status()
check(st && st.paused === true && st.taking_jobs === false, 'after the restart: still paused', JSON.stringify(st))
const off2 = await nextAnn(mark, () => true)
check(off2 && isOffline(off2) && ks(off2).length === 0, 'after the restart: the announcement says offline',
  JSON.stringify(off2?.tags))
await refused('paused after a restart')

// --- resume ---------------------------------------------------------------

mark = anns.length
r = ctl('resume')
check(r.code === 0, 'provider resume exits 0', r.out)
check(!existsSync(paused), 'resume removes the paused file')
const on = await nextAnn(mark, isOnline)
check(on && ks(on).length === 3, 'resume: a new 31990 with the k tags', JSON.stringify(on?.tags))
st = d.status()
check(st && st.paused === false && st.taking_jobs === true, 'status --json: taking jobs again', JSON.stringify(st))
await served('resumed')
const jt = await until(() => /^Jobs today: 1 completed/m.test(statusText()), 10000, 250)
check(jt, 'status shows "Jobs today: 1 completed"', statusText())
st = d.status()
// (success_rate and tier come from the ledger at most once a minute)
check(st && st.jobs_today === 1 && st.busy === 0, 'status --json: jobs_today 1, none busy', JSON.stringify(st))

// --- the schedule ---------------------------------------------------------

// weekdays that leave out today and the days either side (local time,
// as the daemon reads it), so that a midnight during the test is no
// matter; and hours that leave out now too
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const today = new Date().getDay()
const away = [3, 4].map((n) => DAYS[(today + n) % 7])
const h = (new Date().getHours() + 12) % 24
const hh = (x) => String(x).padStart(2, '0')
d.opts.extraConfig = ['[schedule]', 'mode = "schedule"', `weekdays = ${JSON.stringify(away)}`,
  `hours = "${hh(h)}:00-${hh(h)}:30"`]
d.writeConfig()
mark = anns.length
r = ctl('reload')
check(r.code === 0, 'provider reload with a schedule that leaves out now exits 0', r.out)
const offS = await nextAnn(mark, isOffline)
check(offS && ks(offS).length === 0 && tagOf(offS, 'schedule')?.[1] === 'schedule',
  'outside the schedule: the announcement says offline, schedule "schedule"', JSON.stringify(offS?.tags))
await refused('outside the schedule')
st = d.status()
check(st && st.paused === false && st.taking_jobs === false, 'status --json: not paused, not taking jobs', JSON.stringify(st))
check(/^Status: ONLINE \(outside the schedule: no new jobs\)$/m.test(statusText()), 'provider status says outside the schedule',
  statusText())

d.opts.extraConfig = []
d.writeConfig()
mark = anns.length
r = ctl('reload')
check(r.code === 0, 'provider reload without the schedule exits 0', r.out)
const onAgain = await nextAnn(mark, isOnline)
check(onAgain && ks(onAgain).length === 3, 'back to always: a 31990 online with the k tags', JSON.stringify(onAgain?.tags))

// --- provider stop withdraws the announcement -----------------------------

mark = anns.length
const exited = new Promise((resolve) => d.proc.once('exit', () => resolve(Date.now())))
r = ctl('stop')
check(r.code === 0 && /stopped/.test(r.out), 'provider stop exits 0 once the daemon is gone', r.out)
const exitAt = await Promise.race([exited, sleep(15000).then(() => null)])
check(exitAt && d.proc.exitCode === 0, 'the daemon exits 0', d.tail())
// it is on the relay after the daemon is gone, so it was sent before
const dels = await fetchEvents(A.url, { kinds: [5], authors: [pk] }).catch(() => [])
const aTag = `31990:${pk}:${D}`
const del = dels.find((e) => e.tags.some((t) => t[0] === 'a' && t[1] === aTag))
check(del, `a kind-5 deletion with ["a","${aTag}"] is on the relay after the exit`, JSON.stringify(dels))
const last = await nextAnn(mark, () => true, 3000)
check(last && isOffline(last) && ks(last).length === 0 && last.arrival < (anns.find((e) => e.kind === 5 && e.arrival >= mark)?.arrival ?? Infinity),
  'stop: a replacement 31990 with status offline comes first, then the deletion', JSON.stringify(anns.slice(mark).map((e) => [e.kind, e.tags])))
check(del && del.created_at >= onAgain?.created_at, 'the deletion is not older than the last announcement')

sub.close()
col.close()
for (const x of world.relays) await stopProc(x.proc)
finish()
