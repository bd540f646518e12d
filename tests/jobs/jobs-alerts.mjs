// Alerts raised by jobs (supervisor/sv_alert.c), delivered to a webhook
// receiver on 127.0.0.1 through relayd: success_rate after a failed job
// (0% of one judged job, below 90%), dispute when the buyer disputes
// it, capacity when a broad request finds the one worker busy; each is
// a WARNING "alert:" line in provider logs, the job's under --job.
import { createServer } from 'node:http'
import { execFileSync } from 'node:child_process'
import {
  check, deadline, bringUp, post, patchJob, generateSecretKey, statusOf, until, OA, codesOf, stopProc, finish
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

// 5. pay_first with a wallet that never answers on its relay: E007
await d.stop()
check(d.proc.exitCode === 0, 'the daemon stops cleanly', d.tail())
const WPK = 'e8bcf3823669444d0b49ad45d65088635d9fd8500a75b5f20b59abefa56a144f'
const CS = '3e9d2c5f0a71b48e6f1d27c39b5a0e84d7f6c1a29b3e58d40c7a6f1e2b9d8c07'
execFileSync(OA, ['provider', 'wallet', 'connect', `nostr+walletconnect://${WPK}?relay=${encodeURIComponent(A.url)}&secret=${CS}`],
  { env: d.env, stdio: ['ignore', 'ignore', 'ignore'], timeout: 30000 })
d.opts.payments = 'pay_first'
d.opts.extraConfig = [...d.opts.extraConfig, '[wallet]', 'request_timeout_secs = 1', 'outage_limit_secs = 3']
d.writeConfig()
posts.length = 0
d.start()
check(await d.waitReady(30000), 'the suite is back with a silent wallet', d.tail())
const unpaid = await post([A.url], generateSecretKey(), patchJob(fx, 'fix', { provider: pk }))
const unpaidEnd = await col.waitEnd(unpaid.id, 60000)
check(unpaidEnd && codesOf(unpaidEnd).includes('E007'), 'the pay_first job fails with E007', d.tail())
// (the broad request refused before the restart may be taken now and
// fail the same way: its alert is another job's)
const walletAlert = () => posts.find((p) => p.body?.kind === 'wallet' && p.body.job === jobId(unpaid))
check(await until(walletAlert, 10000), 'a wallet alert naming the job is posted', JSON.stringify(posts))
check(/^E007, no invoice: /.test(walletAlert()?.body?.message || ''), 'saying E007', JSON.stringify(walletAlert()))
check(logs('--job', jobId(unpaid)).includes(`alert: wallet: job ${jobId(unpaid)}: E007`), 'provider logs --job lists it')

srv.close()
col.close()
await d.stop()
check(d.proc.exitCode === 0, 'the daemon stops cleanly again', d.tail())
for (const r of world.relays) await stopProc(r.proc)
finish()
