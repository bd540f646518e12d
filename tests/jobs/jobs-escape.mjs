// Escapes from the job sandbox (spec/TESTING.md, security): agents that
// try the network (the relay on 127.0.0.1 and 1.1.1.1:53), the host's
// home and the provider's folder, writes outside the workspace, a fork
// bomb and a memory bomb.  Each probe reports what it saw in
// src/escape-report.txt inside its patch; every attempt must be
// contained, and the daemon must serve a normal job afterwards.
// Container isolation only: under `local` the probes would really
// escape (and write to /usr as whoever runs the test), so the test
// skips (exit 77).
import { mkdirSync, writeFileSync, readdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import {
  check, deadline, tempdir, bringUp, wrapUp, post, patchJob, generateSecretKey, statusOf, verdictOf,
  addedLines, procsWith, until, sleep, runCases, ISOLATION
} from './jobslib.mjs'

if (ISOLATION !== 'container') {
  console.log(`# skip: escapes need container isolation, not ${ISOLATION}`)
  console.log('0 passed, 0 failed')
  process.exit(77)
}

deadline(280000)
// a home of the daemon's own with a marker in it, beside the real one
const fakeHome = join(tempdir(), 'hosthome')
mkdirSync(join(fakeHome, '.ssh'), { recursive: true })
writeFileSync(join(fakeHome, '.ssh', 'id_marker'), 'host secret marker\n', { mode: 0o600 })
const PIDS = 64
const MEM = 256
const world = await bringUp({ capacity: 4, limits: { time_secs: 60, memory_mb: MEM, pids: PIDS }, env: { HOME: fakeHome } })
const { fx, d, col, pk } = world
const [A] = world.relays
const buyer = () => generateSecretKey()
const job = (agent, issue = '') => patchJob(fx, agent, { provider: pk, issue })

// the report an escape agent left in its patch, or null
async function probe (agent, issue) {
  const req = await post([A.url], buyer(), job(agent, issue))
  const res = await col.waitFor(req.id, (e) => e.kind === 6932, 90000)
  if (!res) return { req, res, v: verdictOf(col, req.id) }
  const lines = addedLines(res.content, 'src/escape-report.txt')
  return { req, res, report: Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) }
}
const realHome = homedir()
let realNames = []
try { realNames = readdirSync(realHome) } catch {}

await runCases({
  async network (t) {
    const { res, report } = await probe('escape-net', `oa-probe-relay=127.0.0.1:${A.port}`)
    if (!t.ok(res && report, 'the probe reports back in its patch', d.tail())) return
    t.ok(report.net_relay === 'blocked', `the relay on 127.0.0.1:${A.port} is unreachable`, report.net_relay)
    t.ok(report.net_dns === 'blocked', '1.1.1.1:53 is unreachable', report.net_dns)
  },

  async home (t) {
    const { res, report } = await probe('escape-home', `oa-probe-home=${fakeHome} oa-probe-oahome=${d.home}`)
    if (!t.ok(res && report, 'the probe reports back in its patch', d.tail())) return
    t.ok(report.home === 'absent' || report.home === 'empty', "the daemon's $HOME is not visible", report.home)
    t.ok(report.home_marker === 'unreadable', 'the marker file in it cannot be read', report.home_marker)
    t.ok(report.oahome === 'absent' || report.oahome === 'empty', 'OPENAGENTS_HOME is not visible', report.oahome)
    for (const k of ['oa_identity', 'oa_control', 'oa_ledger']) t.ok(report[k] === 'absent', `${k} is not visible`, report[k])
    const { report: r2 } = await probe('escape-home', `oa-probe-home=${realHome} oa-probe-oahome=${d.home}`)
    const shown = (r2?.home || '').replace(/^listed:/, '').split(',').filter((x) => x !== '')
    t.ok(r2 && !shown.some((n) => realNames.includes(n)), `the real home ${realHome} shows none of its files`, r2?.home)
  },

  async write (t) {
    const { res, report } = await probe('escape-write')
    if (!t.ok(res && report, 'the probe reports back in its patch', d.tail())) return
    for (const k of ['usr', 'repo', 'root', 'etc']) t.ok(report[`write_${k}`] === 'blocked', `writing to ${k === 'root' ? '/' : '/' + k} fails`, report[`write_${k}`])
  }
})

// one at a time: the bombs
{
  const sig = '57.123'
  const { req, res, report } = await probe(`forkbomb:${sig}`)
  const v = verdictOf(col, req.id)
  const contained = res ? Number(report?.forks_alive ?? 1000) <= PIDS : v.codes.length > 0
  check(contained, `fork bomb: contained (pids ${PIDS}: ${res ? `forks_alive=${report?.forks_alive}` : `error ${v.codes}`})`, v.text || JSON.stringify(report))
  check(await until(() => procsWith(['sleep', sig]).length === 0, 15000), 'fork bomb: none of its processes outlives the job', procsWith(['sleep', sig]).length)
  check(d.running() && d.status()?.status === 'online', 'fork bomb: the suite stays online')
}
{
  const req = await post([A.url], buyer(), job('membomb'))
  const end = await col.waitEnd(req.id, 90000)
  check(end, 'memory bomb: the job ends within 90 s', d.tail())
  const v = verdictOf(col, req.id)
  const res = v.results[0]
  const report = res && statusOf(res) === 'success' ? addedLines(res.content, 'src/escape-report.txt').join(' ') : ''
  check(v.successes.length === 0 ? v.codes.length > 0 : !/mem=allocated/.test(report),
    `memory bomb: contained (memory_mb ${MEM}: ${v.codes.join(' ') || report})`, v.text)
  check(v.successes.length > 0 || v.codes.some((c) => c === 'E005' || c === 'E004' || c === 'E006'), 'memory bomb: a failure says E005 (or E004/E006)', v.codes)
  check(d.running() && d.status()?.status === 'online', 'memory bomb: the suite stays online')
}

await sleep(1000)
await wrapUp(world, 'after the escapes, a normal job succeeds', () => job('fix'), (r) => statusOf(r) === 'success')
