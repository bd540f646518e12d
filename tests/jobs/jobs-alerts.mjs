// Alerts raised by jobs (supervisor/sv_alert.c), delivered to a webhook
// receiver on 127.0.0.1 through relayd: success_rate after a failed job
// (0% of one judged job, below 90%), dispute when the buyer disputes
// it, capacity when a broad request finds the one worker busy; each is
// a WARNING "alert:" line in provider logs, the job's under --job.
import { createServer } from 'node:http'
import { execFileSync } from 'node:child_process'
import {
  check, deadline, bringUp, wrapUp, post, patchJob, generateSecretKey, statusOf, until, OA
} from './jobslib.mjs'

deadline(240000)

const posts = []
const srv = createServer((req, res) => {
  let body = ''
  req.on('data', (d) => { body += d })
  req.on('end', () => {
    try { posts.push({ path: req.url, ct: req.headers['content-type'], body: JSON.parse(body) }) } catch { posts.push({ path: req.url, body: null }) }
    res.writeHead(200, { 'Content-Length': '0' })
    res.end()
  })
})
await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve))
const port = srv.address().port

const world = await bringUp({
  capacity: 1,
  limits: { time_secs: 60 },
  extraConfig: ['[alerts]', `webhook_url = "http://127.0.0.1:${port}/hook"`,
    'success_rate_below = 90', 'min_interval_secs = 0']
})
const { fx, d, col, pk } = world
const [A] = world.relays
const alertOf = (kind) => posts.find((p) => p.body && p.body.kind === kind)
const jobId = (req) => 'job_' + req.id.slice(0, 16)
const logs = (...args) => execFileSync(OA, ['provider', 'logs', ...args], { env: d.env, encoding: 'utf8', timeout: 10000 })

// 1. a failed job: the success rate of all judged jobs is 0%
const buyer = generateSecretKey()
const bad = await post([A.url], buyer, patchJob(fx, 'break', { provider: pk }))
const badEnd = await col.waitEnd(bad.id, 90000)
check(badEnd, 'the breaking job ends', d.tail())
check(await until(() => alertOf('success_rate'), 10000), 'a success_rate alert is posted', JSON.stringify(posts))
{
  const a = alertOf('success_rate')?.body || {}
  check(/success rate is 0\.0% over 1 judged jobs, below 90\.0%/.test(a.message || ''), 'it gives the rate, the count and the threshold', a.message)
  check(a.job === null && a.provider === d.id.npub && /Z$/.test(a.time || ''), 'with no job, the npub and a UTC time', JSON.stringify(a))
  check(alertOf('success_rate').ct === 'application/json' && alertOf('success_rate').path === '/hook', 'POSTed as application/json to the path')
}

// 2. the buyer disputes it (PROTOCOL.md §A.11, by the request's id)
await post([A.url], buyer, { kind: 39300, tags: [['e', bad.id, '', 'dispute'], ['trigger', 'tests_fail_after_patch']], content: '{}' })
check(await until(() => alertOf('dispute'), 15000), 'a dispute alert is posted', d.tail())
{
  const a = alertOf('dispute')?.body || {}
  check(a.job === jobId(bad), 'naming the job', JSON.stringify(a))
  check(/disputed \(tests_fail_after_patch\)/.test(a.message || ''), 'and the trigger', a.message)
}

// 3. the one worker busy: a broad request is refused
const sig = '7.31'
const slow = await post([A.url], generateSecretKey(), patchJob(fx, `sleepfix:${sig}`, { provider: pk }))
check(await until(() => col.feedback(slow.id).some((e) => statusOf(e) === 'processing'), 45000), 'a slow job takes the worker')
await post([A.url], generateSecretKey(), patchJob(fx, 'fix'))
check(await until(() => alertOf('capacity'), 15000), 'a capacity alert is posted', d.tail())
check(/all workers busy/.test(alertOf('capacity')?.body?.message || ''), 'saying the workers are busy', JSON.stringify(alertOf('capacity')))
await col.waitEnd(slow.id, 90000)

// 4. provider logs
const lines = logs('--lines', '100000', '--json').trim().split('\n').map((l) => JSON.parse(l))
const alerts = lines.filter((l) => /^alert: /.test(l.message))
for (const k of ['success_rate', 'dispute', 'capacity']) {
  check(alerts.some((l) => l.level === 'WARNING' && l.process === 'openagentsd' && l.message.startsWith(`alert: ${k}: `)), `provider logs --json has the ${k} alert at WARNING`, JSON.stringify(alerts))
}
check(lines.some((l) => l.process === 'relayd' && /alert webhook 127\.0\.0\.1:\d+: delivered \(HTTP 200\)/.test(l.message)), 'and relayd\'s delivery lines')
const jobLines = logs('--job', jobId(bad))
check(jobLines.includes(`alert: dispute: job ${jobId(bad)}: disputed (tests_fail_after_patch)`), 'provider logs --job lists the job\'s dispute alert', jobLines)
check(!jobLines.includes(jobId(slow)), 'and not another job\'s lines')

srv.close()
await wrapUp(world, 'a last job still succeeds', (p) => patchJob(fx, 'fix', { provider: p }), (r) => statusOf(r) === 'success')
