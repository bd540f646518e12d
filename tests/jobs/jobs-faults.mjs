// Faults mid-job (spec/TESTING.md): kill -9 of workerd while an agent
// runs, and kill -9 of the supervisor, restarted on the same
// OPENAGENTS_HOME.  Each job ends with exactly one result (success after
// a rerun of the unfinished phase, or a clean failure), no result is
// published twice, and a job whose result was out before the crash is
// neither rerun nor republished under a new id.
import {
  check, deadline, bringUp, wrapUp, stopProc, post, patchJob, generateSecretKey, statusOf, oneResultChecks,
  procsWith, alive, until, sleep, fetchEvents
} from './jobslib.mjs'

deadline(290000)
const world = await bringUp({ capacity: 2, limits: { time_secs: 90 } })
const { fx, d, col, pk } = world
const [A] = world.relays
const buyer = () => generateSecretKey()
const job = (agent = 'fix') => patchJob(fx, agent, { provider: pk })
const ended = (id, ms) => col.waitFor(id, (e) => e.kind === 6932, ms)

const oneResult = (req, what) => { for (const [c, desc, x] of oneResultChecks(col, req, what)) check(c, desc, x) }

// 0. a job that finishes before any fault
const first = await post([A.url], buyer(), job('fix'))
const firstRes = await ended(first.id, 90000)
check(firstRes && statusOf(firstRes) === 'success', 'a first job succeeds', d.tail())

// 1. kill -9 workerd while the agent sleeps
{
  const sig = '10.51'
  const req = await post([A.url], buyer(), job(`sleepfix:${sig}`))
  check(await until(() => procsWith(['sleep', sig]).length > 0, 45000), 'workerd: the agent runs')
  const agents = procsWith(['sleep', sig])
  const w = d.helperPid('workerd')
  if (check(w, 'workerd: its pid from provider status --json', JSON.stringify(d.status()))) {
    process.kill(w, 'SIGKILL')
    check(await until(() => !alive(w), 5000), 'workerd: killed')
    // the same pids: a rerun starts a new sleep with the same number
    check(await until(() => agents.every((p) => !alive(p)), 15000), 'workerd: the agent of the killed workerd is gone', agents.filter(alive))
    check(await until(() => { const p = d.helperPid('workerd'); return p && p !== w }, 30000), 'workerd: restarted by the supervisor')
  }
  for (const p of agents.filter(alive)) { try { process.kill(p, 'SIGKILL') } catch {} }
  const r = await ended(req.id, 120000)
  check(r, 'workerd: the job ends within 120 s', d.tail())
  await sleep(5000)
  oneResult(req, 'workerd')
  check(d.running(), 'workerd: the supervisor stays up')
}

// 2. kill -9 the supervisor while the agent sleeps; restart it
{
  const sig = '10.62'
  const req = await post([A.url], buyer(), job(`sleepfix:${sig}`))
  check(await until(() => procsWith(['sleep', sig]).length > 0, 45000), 'supervisor: the agent runs')
  const helpers = d.helperPids()
  const agents = procsWith(['sleep', sig])
  const sv = d.proc.pid
  const killedAt = Math.floor(Date.now() / 1000)
  await stopProc(d.proc, 'SIGKILL', 5000)
  check(!d.running(), 'supervisor: killed')
  // helpers notice their channel closed and end
  check(await until(() => helpers.every((p) => !alive(p)), 15000), 'supervisor: every helper ends with it',
    helpers.filter(alive).join(' '))
  for (const p of helpers.filter(alive)) { try { process.kill(p, 'SIGKILL') } catch {} }
  check(await until(() => agents.every((p) => !alive(p)), 15000), 'supervisor: the running agent is gone', agents.filter(alive))
  for (const p of agents.filter(alive)) { try { process.kill(p, 'SIGKILL') } catch {} }
  d.log += `\n# --- restart after kill -9 of pid ${sv} ---\n`
  d.start()
  check(await d.waitReady(30000), 'supervisor: the suite comes back on the same OPENAGENTS_HOME', d.tail())
  const r = await ended(req.id, 120000)
  check(r, 'supervisor: the interrupted job ends within 120 s', d.tail())
  await sleep(5000)
  oneResult(req, 'supervisor')

  // what was finished before the crash stays finished
  const firstNow = col.results(first.id)
  check(firstNow.length === 1 && firstNow[0].id === firstRes?.id, 'the job done before the crash keeps its one result, same id',
    firstNow.map((e) => e.id).join(' '))
  check(!col.feedback(first.id).some((e) => e.created_at >= killedAt), 'and gets no new feedback (it is not rerun)')
  const stored = await fetchEvents(A.url, { kinds: [6932], '#e': [first.id] }, 5000)
  check(stored.length === 1, 'the relay holds one result for it', stored.map((e) => e.id).join(' '))
}

// 3. the restarted suite serves a new job
await wrapUp(world, 'the restarted suite serves a new job', () => job(), (r) => statusOf(r) === 'success')
