// kill -9 of the other helpers mid-job (spec/TESTING.md): relayd and
// verifyd are restarted and the job ends with exactly one result;
// walletd's death is fatal for the suite (DESIGN.md §3: the key holder
// must not be probed), which stops, and once restarted on the same
// OPENAGENTS_HOME ends the interrupted job with exactly one result.
import {
  check, deadline, bringUp, wrapUp, post, patchJob, generateSecretKey, statusOf, oneResultChecks, procsWith,
  alive, until, sleep
} from './jobslib.mjs'

deadline(280000)
const world = await bringUp({ capacity: 2, limits: { time_secs: 90 } })
const { fx, d, col, pk } = world
const job = (agent = 'fix') => patchJob(fx, agent, { provider: pk })
const oneResult = (req, what) => { for (const [c, desc, x] of oneResultChecks(col, req, what)) check(c, desc, x) }
const [A] = world.relays

// a job whose agent sleeps a while; resolves once the agent runs
async function sleeper (sig, what) {
  const req = await post([A.url], generateSecretKey(), job(`sleepfix:${sig}`))
  check(await until(() => procsWith(['sleep', sig]).length > 0, 45000), `${what}: the agent runs`, d.tail(10))
  return req
}

for (const [name, sig] of [['relayd', '8.71'], ['verifyd', '8.72']]) {
  const req = await sleeper(sig, name)
  const pid = d.helperPid(name)
  if (check(pid, `${name}: its pid from provider status --json`, JSON.stringify(d.status()))) {
    process.kill(pid, 'SIGKILL')
    check(await until(() => { const p = d.helperPid(name); return p && p !== pid }, 30000), `${name}: restarted by the supervisor`)
    check(await d.waitReady(30000), `${name}: the suite is online again, the relay open`)
  }
  const r = await col.waitFor(req.id, (e) => e.kind === 6932, 120000)
  check(r, `${name}: the job ends within 120 s`, d.tail())
  await sleep(3000)
  oneResult(req, name)
  check(d.running(), `${name}: the supervisor stays up`)
}

{
  const req = await sleeper('8.73', 'walletd')
  const agents = procsWith(['sleep', '8.73'])
  const helpers = d.helperPids()
  const w = d.helperPid('walletd')
  if (check(w, 'walletd: its pid from provider status --json')) process.kill(w, 'SIGKILL')
  check(await until(() => !d.running(), 15000), 'walletd: its death stops the suite')
  check(!d.running() && d.proc.exitCode !== 0, `walletd: openagentsd exits with an error (${d.proc.exitCode ?? d.proc.signalCode})`)
  if (d.running()) await d.stop()
  check(await until(() => helpers.every((p) => !alive(p)), 15000), 'walletd: every helper ends', helpers.filter(alive).join(' '))
  check(await until(() => agents.every((p) => !alive(p)), 15000), 'walletd: the running agent ends', agents.filter(alive).join(' '))
  for (const p of [...helpers, ...agents].filter(alive)) { try { process.kill(p, 'SIGKILL') } catch {} }
  d.log += '\n# --- restart after walletd was killed ---\n'
  d.start()
  check(await d.waitReady(30000), 'walletd: the suite comes back on the same OPENAGENTS_HOME', d.tail())
  const r = await col.waitFor(req.id, (e) => e.kind === 6932, 120000)
  check(r, 'walletd: the interrupted job ends within 120 s', d.tail())
  await sleep(3000)
  oneResult(req, 'walletd')
}

await wrapUp(world, 'the suite serves a new job after all that', () => job(), (r) => statusOf(r) === 'success')
