// Payments across a crash (spec/TESTING.md "Fault tests": none invoiced
// twice, the ledger consistent): kill -9 of the supervisor while a job
// runs, after its invoiced result is out, and while a pay_first job
// waits for its payment.  Each job keeps one invoice, the open invoices
// are watched again after the restart, and a payment made then counts.
import { readFileSync, writeFileSync } from 'node:fs'
import {
  check, deadline, bringUp, stopProc, post, patchJob, generateSecretKey, statusOf, tagOf,
  procsWith, alive, until, sleep, finish, Wallet, nwcClient
} from './jobslib.mjs'

deadline(280000)
let W = null
const world = await bringUp({
  capacity: 2,
  payments: 'pay_after_verify',
  limits: { time_secs: 90 },
  extraConfig: ['[wallet]', 'poll_secs = 1'],
  walletUri: async (relays) => { W = await Wallet.start(relays[0].url, { name: 'wallet of jobs-pay-restart' }); return W.provider_uri }
})
const { fx, d, col, pk } = world
const [A] = world.relays
const nwc = await nwcClient(W.buyer_uri)
const buyer = () => generateSecretKey()
const job = (agent = 'fix') => patchJob(fx, agent, { provider: pk })
const row = (req) => d.jobs().find((j) => j.request_id === req.id) || null
const invoicesFor = async (req) => ((await W.ask('requests make_invoice'))?.requests || [])
  .filter((r) => r.from === 'provider' && (r.params?.description || '').includes(req.id))

// kill -9 the supervisor, wait for every helper to go, start it again
async function crash (what) {
  const helpers = d.helperPids()
  await stopProc(d.proc, 'SIGKILL', 5000)
  check(await until(() => helpers.every((p) => !alive(p)), 15000), `${what}: every helper ends with the supervisor`)
  for (const p of helpers.filter(alive)) { try { process.kill(p, 'SIGKILL') } catch {} }
  d.log += `\n# --- restart after kill -9 (${what}) ---\n`
  d.start()
  check(await d.waitReady(30000), `${what}: the suite comes back`, d.tail())
}

async function pay (bolt11, what) {
  try { return !!(await nwc.payInvoice({ invoice: bolt11 })) } catch (e) { check(false, `${what}: payInvoice`, e.stack || e); return false }
}

// 1. killed while the agent runs: the result after the restart has one invoice
{
  const sig = '10.73'
  const req = await post([A.url], buyer(), job(`sleepfix:${sig}`))
  check(await until(() => procsWith(['sleep', sig]).length > 0, 45000), 'mid-job: the agent runs')
  await crash('mid-job')
  for (const p of procsWith(['sleep', sig])) { try { process.kill(p, 'SIGKILL') } catch {} }
  const res = await col.waitFor(req.id, (e) => e.kind === 6932, 120000)
  check(res && statusOf(res) === 'success' && /^ln/.test(tagOf(res, 'amount')?.[2] || ''), 'mid-job: a successful result with an invoice after the restart', d.tail())
  check((await invoicesFor(req)).length === 1, 'mid-job: the wallet was asked for one invoice', JSON.stringify(await invoicesFor(req)))
}

// 2. killed after the invoiced result is out: paid after the restart
{
  const req = await post([A.url], buyer(), job('fix'))
  const res = await col.waitFor(req.id, (e) => e.kind === 6932, 90000)
  const bolt11 = tagOf(res, 'amount')?.[2]
  check(res && /^ln/.test(bolt11 || ''), 'published: a result with an invoice', d.tail())
  check(await until(() => row(req)?.status === 'published', 10000, 500), 'published: the job waits for payment')
  await crash('published')
  await sleep(3000)
  check(col.results(req.id).length === 1 || col.results(req.id).every((e) => e.id === res.id), 'published: the same result, never a new one',
    col.results(req.id).map((e) => e.id).join(' '))
  if (bolt11 && await pay(bolt11, 'published')) {
    const r = await until(() => row(req)?.status === 'paid' ? row(req) : null, 20000, 500)
    check(r && r.earned_sats === Number(tagOf(res, 'amount')[1]) / 1000, 'published: paid after the restart (its invoice is watched again)', JSON.stringify(row(req)))
  }
  check((await invoicesFor(req)).length === 1, 'published: one invoice in all')
}

// 3. pay_first: killed while the job waits for its payment
{
  const cfg = d.cfg
  writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(/mode = "pay_after_verify"/, 'mode = "pay_first"'))
  await d.stop()
  d.start()
  check(await d.waitReady(30000), 'pay_first: the suite restarts in pay_first mode', d.tail())
  const req = await post([A.url], buyer(), job('fix'))
  const fb = await col.waitFor(req.id, (e) => e.kind === 7000 && statusOf(e) === 'payment-required', 60000)
  const bolt11 = tagOf(fb, 'amount')?.[2]
  check(fb && /^ln/.test(bolt11 || ''), 'pay_first: payment-required with an invoice', d.tail())
  check(await until(() => row(req)?.status === 'invoiced', 10000, 500), 'pay_first: the job is invoiced')
  await crash('pay_first')
  await sleep(3000)
  check(row(req)?.status === 'invoiced' && col.results(req.id).length === 0, 'pay_first: still invoiced after the restart, nothing run', JSON.stringify(row(req)))
  const again = col.feedback(req.id).filter((e) => statusOf(e) === 'payment-required')
  check(again.every((e) => tagOf(e, 'amount')?.[2] === bolt11), 'pay_first: any payment-required sent again names the same invoice')
  if (bolt11 && await pay(bolt11, 'pay_first')) {
    const res = await col.waitFor(req.id, (e) => e.kind === 6932, 90000)
    check(res && statusOf(res) === 'success', 'pay_first: paid after the restart, the job runs and succeeds', d.tail())
    check(await until(() => row(req)?.status === 'paid', 15000, 500), 'pay_first: the job ends paid', JSON.stringify(row(req)))
  }
  check((await invoicesFor(req)).length === 1, 'pay_first: one invoice in all', JSON.stringify(await invoicesFor(req)))
}

nwc.close()
col.close()
await d.stop()
check(d.proc.exitCode === 0, 'the daemon stops cleanly', d.tail())
await W.stop()
for (const r of world.relays) await stopProc(r.proc)
finish()
