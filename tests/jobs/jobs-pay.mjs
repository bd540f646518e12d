// Paid PatchGen jobs (PROTOCOL.md §A.12, §C.8, §E.1, §E.5) against the
// NIP-47 test wallet (wallet.mjs): three suites, each with its own relay
// and its own wallet, whose provider connection is stored with
// `openagents provider wallet connect -`; the buyer pays through the
// wallet's other connection with @getalby/sdk's NWCClient.payInvoice.
//   after  (pay_after_verify, invoice_expiry_secs 60, poll_secs 1): an
//          invoice with the result, paid after the buyer's own checks,
//          found by lookup_invoice; an invoice left to expire; forged and
//          replayed wallet answers that must not count
//   first  (pay_first, poll_secs 1): payment-required with the invoice
//          first, nothing runs until it is paid
//   outage (pay_after_verify, poll_secs 3600, request_timeout_secs 2,
//          outage_limit_secs 8): paid and known only through the
//          payment_received notification; the wallet away for less than
//          the limit (the result still comes with an invoice), then past
//          it (E007, a failed result without an invoice)
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import {
  deadline, bringUp, post, patchJob, generateSecretKey, patchSuccessChecks, failureChecks, envelopeChecks,
  statusOf, tagOf, codesOf, runCases, until, sleep, check, finish, stopProc, Wallet, nwcClient, invoiceChecks,
  OA
} from './jobslib.mjs'

deadline(280000)
const sha256hex = (h) => createHash('sha256').update(Buffer.from(h, 'hex')).digest('hex')
const buyer = () => generateSecretKey()
const BASE_SATS = 3000		// [pricing.PatchGen] base of the test config
const BUDGET_SATS = 10000	// patchJob's max_cost_sats
const lab = (what) => what ? `${what}: ` : ''

const jobRows = (d) => d.jobs()
const jobRow = (d, req) => jobRows(d).find((j) => j.request_id === req.id) || null
const earnings = (d) => d.earnings('all')
const waitStatus = (d, req, status, ms) => until(() => { const j = jobRow(d, req); return j?.status === status ? j : null }, ms, 500)

// A suite with its own wallet; [wallet] lines as given.
async function world (name, mode, wallet) {
  let W = null
  const w = await bringUp({
    name,
    payments: mode,
    extraConfig: ['[wallet]', ...wallet],
    walletUri: async (relays) => {
      W = await Wallet.start(relays[0].url, { name: `wallet of ${name}` })
      return W.provider_uri
    }
  })
  return { ...w, name, W, url: w.relays[0].url, nwc: await nwcClient(W.buyer_uri) }
}

// The ["amount", msats, bolt11] of ev (a result or a payment-required),
// checked as a buyer would and against the wallet's ledger.  Returns
// { msats, bolt11, hash } or null.
async function invoiceOf (t, ev, w, what) {
  const a = tagOf(ev, 'amount')
  if (!t.ok(a && a.length >= 3 && /^\d+$/.test(a[1]) && /^ln/.test(a[2] || ''), `${lab(what)}["amount", "<msats>", "<bolt11>"]`, JSON.stringify(ev?.tags))) return null
  const msats = Number(a[1])
  t.ok(msats % 1000 === 0 && msats >= BASE_SATS * 1000 && msats <= BUDGET_SATS * 1000,
    `${lab(what)}${msats} msats, whole sats, at least the base price and within max_cost_sats`)
  const ic = invoiceChecks(a[2], { msats, payee: w.W.node_pubkey, minExpiry: 60, what: what ? `${what}'s invoice` : 'the invoice' })
  for (const [c, d, x] of ic.checks) t.ok(c, d, x)
  const st = ic.hash ? await w.W.ask(`state ${ic.hash}`) : null
  t.ok(st?.ok && st.owner === 'provider' && st.amount === msats && st.invoice === a[2],
    `${lab(what)}the provider's connection made that invoice`, JSON.stringify(st))
  return ic.hash ? { msats, bolt11: a[2], hash: ic.hash } : null
}

// the wallet's record of the provider's requests of method since at
async function provRequests (w, method, pred = () => true) {
  const r = await w.W.ask(`requests ${method}`)
  return (r?.requests || []).filter((x) => x.from === 'provider' && pred(x))
}
const names = (inv) => (r) => r.params?.payment_hash === inv.hash || r.params?.invoice === inv.bolt11

// A fix job paid after the result: verified by the buyer, then paid.
async function paidFix (t, w, what) {
  const req = await post([w.url], buyer(), patchJob(w.fx, 'fix', { provider: w.pk }))
  const res = await w.col.waitFor(req.id, (e) => e.kind === 6932, 90000)
  if (!t.ok(res, `${lab(what)}a 6932 result within 90 s`, w.d.tail())) return null
  t.ok(!w.col.feedback(req.id).some((e) => statusOf(e) === 'payment-required'), `${lab(what)}no payment-required before the work`)
  const verdict = patchSuccessChecks(res, { req, provider: w.pk, fixture: w.fx, dir: w.dir, expect: { files: ['src/calc.sh'] } })
  for (const [c, d, x] of verdict) t.ok(c, `${lab(what)}${d}`, x)
  const inv = await invoiceOf(t, res, w, `${lab(what)}the result`)
  return { req, res, inv, verified: verdict.every((c) => c[0]) }
}

async function pay (t, w, inv, what) {
  let p = null
  try { p = await w.nwc.payInvoice({ invoice: inv.bolt11 }) } catch (e) { t.ok(false, `${lab(what)}payInvoice`, e.stack || e) }
  return t.ok(p && sha256hex(p.preimage) === inv.hash, `${lab(what)}the buyer pays it (NWCClient.payInvoice), the preimage hashes to it`, JSON.stringify(p))
}

async function paidChecks (t, w, req, inv, what, ms = 15000) {
  const row = await waitStatus(w.d, req, 'paid', ms)
  t.ok(row && row.earned_sats === inv.msats / 1000 && row.type === 'PatchGen',
    `${lab(what)}provider jobs --json shows it paid, earned_sats ${inv.msats / 1000}, type PatchGen (within ${ms / 1000} s)`, JSON.stringify(row || jobRow(w.d, req)))
  const e = earnings(w.d)
  const pg = e?.by_type?.find((x) => x.type === 'PatchGen')
  t.ok(pg && pg.jobs >= 1 && pg.earned_sats >= inv.msats / 1000 && e.earned_sats >= pg.earned_sats,
    `${lab(what)}provider earnings --json --period all counts it under PatchGen`, JSON.stringify(e))
  return row
}

const [A, F, O] = await Promise.all([
  world('after', 'pay_after_verify', ['invoice_expiry_secs = 60', 'poll_secs = 1']),
  world('first', 'pay_first', ['poll_secs = 1']),
  world('outage', 'pay_after_verify', ['poll_secs = 3600', 'request_timeout_secs = 2', 'outage_limit_secs = 8'])
])

await runCases({
  // a. the Bazaar flow: result with invoice, buyer verifies, pays
  async pay_after_verify (t) {
    const j = await paidFix(t, A, '')
    if (!j?.inv) return
    t.ok(await until(() => jobRow(A.d, j.req)?.status === 'published', 5000, 500), 'the job is "published" while unpaid', JSON.stringify(jobRow(A.d, j.req)))
    if (!t.ok(j.verified, 'the buyer verified the patch, so it pays')) return
    // past poll_secs: the provider has looked it up and found it unpaid
    await sleep(2500)
    t.ok(jobRow(A.d, j.req)?.status === 'published', 'still "published" after the buyer\'s checks, right before the payment', JSON.stringify(jobRow(A.d, j.req)))
    if (!await pay(t, A, j.inv, '')) return
    await paidChecks(t, A, j.req, j.inv, '')
    t.ok(A.col.results(j.req.id).length === 1, 'exactly one result')
  },

  // b. pay first: nothing runs before the invoice is paid
  async pay_first (t) {
    const req = await post([F.url], buyer(), patchJob(F.fx, 'fix', { provider: F.pk }))
    const fb = await F.col.waitFor(req.id, (e) => e.kind === 7000, 60000)
    if (!t.ok(fb, 'a 7000 within 60 s', F.d.tail())) return
    t.ok(statusOf(fb) === 'payment-required', 'the first 7000 is ["status", "payment-required"]', JSON.stringify(fb.tags))
    for (const [c, d, x] of envelopeChecks(fb, req, F.pk)) t.ok(c, d, x)
    const inv = await invoiceOf(t, fb, F, 'payment-required')
    if (!inv) return
    await sleep(4000)
    t.ok(!F.col.feedback(req.id).some((e) => statusOf(e) === 'processing') && F.col.results(req.id).length === 0,
      'unpaid for 4 s: no processing, no result', F.col.of(req.id).map((e) => JSON.stringify(e.tags)).join('\n'))
    t.ok(jobRow(F.d, req)?.status === 'invoiced', 'the job is "invoiced" meanwhile', JSON.stringify(jobRow(F.d, req)))
    const paidAt = Date.now()
    if (!await pay(t, F, inv, '')) return
    const res = await F.col.waitFor(req.id, (e) => e.kind === 6932, 90000)
    if (!t.ok(res, 'after payment the result comes within 90 s', F.d.tail())) return
    const proc = F.col.feedback(req.id).find((e) => statusOf(e) === 'processing')
    t.ok(proc && proc.receivedAt >= paidAt && proc.arrival < res.arrival, 'processing came after the payment, before the result')
    for (const [c, d, x] of patchSuccessChecks(res, { req, provider: F.pk, fixture: F.fx, dir: F.dir, expect: { files: ['src/calc.sh'] } })) t.ok(c, d, x)
    const a = tagOf(res, 'amount')
    t.ok(!a || a[2] === inv.bolt11, 'no second invoice with the result', JSON.stringify(a))
    await paidChecks(t, F, req, inv, '')
  },

  // c. an invoice left unpaid lapses: invoice_expiry_secs 60, poll_secs 1
  async expiry (t) {
    const req = await post([A.url], buyer(), patchJob(A.fx, 'fix', { provider: A.pk }))
    const res = await A.col.waitFor(req.id, (e) => e.kind === 6932, 90000)
    if (!t.ok(res && statusOf(res) === 'success', 'a successful result within 90 s', A.d.tail())) return
    const inv = await invoiceOf(t, res, A, 'the result')
    if (!inv) return
    const row = await waitStatus(A.d, req, 'expired', 75000)
    t.ok(row && !row.earned_sats, 'unpaid, the job becomes "expired" within 75 s, nothing earned', JSON.stringify(jobRow(A.d, req)))
    t.ok((await A.W.ask(`state ${inv.hash}`))?.state === 'expired', 'the wallet says expired too')
    t.ok((await provRequests(A, 'lookup_invoice', names(inv))).length >= 2, 'the provider looked it up (poll_secs 1)')
  },

  // a kind-39300 dispute (PROTOCOL.md §A.11) by the buyer marks the job;
  // one by anybody else does not
  async dispute (t) {
    const sk = buyer()
    const req = await post([A.url], sk, patchJob(A.fx, 'fix', { provider: A.pk }))
    const res = await A.col.waitFor(req.id, (e) => e.kind === 6932, 90000)
    if (!t.ok(res && statusOf(res) === 'success', 'a successful result within 90 s', A.d.tail())) return
    if (!t.ok(await until(() => jobRow(A.d, req)?.status === 'published', 10000, 500), 'the job is "published"')) return
    const body = (trigger) => JSON.stringify({ job_id: res.id, trigger, evidence_hash: '00'.repeat(32), failed_checks: ['tests_pass'] })
    const tmpl = (trigger) => ({ kind: 39300, tags: [['e', res.id, '', 'dispute'], ['trigger', trigger]], content: body(trigger) })
    await post([A.url], buyer(), tmpl('tests_fail_after_patch'))
    await sleep(3000)
    t.ok(jobRow(A.d, req)?.status === 'published', 'a dispute signed by another key changes nothing', JSON.stringify(jobRow(A.d, req)))
    await post([A.url], sk, tmpl('tests_fail_after_patch'))
    t.ok(await waitStatus(A.d, req, 'disputed', 15000), 'the buyer\'s dispute naming the result marks the job "disputed"', JSON.stringify(jobRow(A.d, req)))
    t.ok(await until(() => A.d.log.includes('disputed by the buyer (tests_fail_after_patch)'), 5000, 200), 'the log names the dispute and its trigger')
  },

  // what `provider wallet status` tells of the connection, from the daemon
  async wallet_status (t) {
    let st = null
    try { st = JSON.parse(execFileSync(OA, ['provider', 'wallet', 'status', '--json'], { env: A.d.env, encoding: 'utf8', timeout: 40000 })) } catch (e) { t.ok(false, 'wallet status --json runs', e.stack || e) }
    if (!t.ok(st && st.configured === true, 'wallet status --json: configured', JSON.stringify(st))) return
    t.ok(st.state === 'connected', 'the wallet is connected', st.state)
    t.ok(st.wallet_pubkey === A.W.wallet_pubkey, 'the wallet service key is the URI\'s')
    t.ok(st.encryption === 'nip44_v2', 'NIP-44 chosen from the info event (kind 13194)', st.encryption)
    t.ok(Array.isArray(st.methods) && st.methods.includes('make_invoice') && st.methods.includes('lookup_invoice'), 'its methods come from the info event', JSON.stringify(st.methods))
    t.ok(typeof st.alias === 'string' && st.alias.length > 0 && st.network === 'regtest', 'get_info: alias and network', JSON.stringify(st))
    t.ok(Number.isInteger(st.balance_msats) && st.balance_msats >= 0, 'get_balance: the balance, where allowed', JSON.stringify(st.balance_msats))
    let text = ''
    try { text = execFileSync(OA, ['provider', 'wallet', 'status'], { env: A.d.env, encoding: 'utf8', timeout: 40000 }) } catch {}
    t.ok(/Alias:/.test(text) && /Methods:/.test(text) && /Balance:/.test(text), 'wallet status prints alias, methods and balance', text)
  },

  // e. answers signed by another key, and old answers sent again, count for nothing
  async forged (t) {
    const [j1, j2] = await Promise.all([paidFix(t, A, 'job 1'), paidFix(t, A, 'job 2')])
    if (!j1?.inv || !j2?.inv) return
    if (!await pay(t, A, j1.inv, 'job 1')) return
    if (!await paidChecks(t, A, j1.req, j1.inv, 'job 1')) return
    const settled = (await provRequests(A, 'lookup_invoice', (r) => names(j1.inv)(r) && r.state === 'settled' && r.answer))[0]
    t.ok(settled, 'the wallet answered a lookup of job 1 "settled"')
    const open = await until(async () => (await provRequests(A, 'lookup_invoice', (r) => names(j2.inv)(r) && r.answer)).pop(), 10000, 500)
    if (!t.ok(open, 'the provider looks job 2 up')) return
    const fg = await A.W.ask(`forge ${open.id}`)
    t.ok(fg?.ok, 'forge: a "settled" answer to that lookup, from another key', JSON.stringify(fg))
    for (let i = 0; i < 3 && settled; i++) {
      t.ok((await A.W.ask(`replay ${settled.answer}`))?.ok, `replay ${i + 1}: job 1's "settled" answer again`)
      await sleep(300)
    }
    t.ok((await A.W.ask('replay'))?.ok, 'replay: the last answer again')
    await sleep(4000)
    const r2 = jobRow(A.d, j2.req)
    t.ok(r2?.status === 'published' && !r2.earned_sats, 'job 2 is still "published", nothing earned', JSON.stringify(r2))
    const r1 = jobRow(A.d, j1.req)
    t.ok(r1?.status === 'paid' && r1.earned_sats === j1.inv.msats / 1000, 'job 1 counted once', JSON.stringify(r1))
    t.ok((await A.W.ask(`state ${j2.inv.hash}`))?.state === 'pending', 'the wallet still has job 2 unpaid')
    if (!t.ok(j2.verified, 'job 2 verified, so the buyer pays it')) return
    if (await pay(t, A, j2.inv, 'job 2')) await paidChecks(t, A, j2.req, j2.inv, 'job 2, really paid')
  },

  // c, d. the notification path, then the wallet away
  async outage (t) {
    // paid, and no poll for an hour: only the notification tells
    const j = await paidFix(t, O, 'notification')
    if (!j?.inv) return
    if (!t.ok(j.verified, 'notification: verified, so the buyer pays')) return
    if (!await pay(t, O, j.inv, 'notification')) return
    await sleep(4000)
    t.ok(jobRow(O.d, j.req)?.status === 'published', 'notification: no poll for an hour, so still "published" 4 s after the payment', JSON.stringify(jobRow(O.d, j.req)))
    const nt = await O.W.ask(`notify ${j.inv.hash}`)
    t.ok(nt?.ok && nt.state === 'settled', 'notification: the wallet sends payment_received (23197 and 23196)', JSON.stringify(nt))
    await paidChecks(t, O, j.req, j.inv, 'notification', 10000)

    // away for less than outage_limit_secs: the result waits for its invoice
    const since = Math.floor(Date.now() / 1000)
    const req2 = await post([O.url], buyer(), patchJob(O.fx, 'fix', { provider: O.pk }))
    t.ok((await O.W.ask('offline'))?.online === false, 'short outage: the wallet goes offline while the job runs')
    const miss = await until(async () => (await provRequests(O, 'make_invoice', (r) => r.at >= since && r.dropped === 'offline')).length > 0, 90000, 500)
    t.ok(miss, 'short outage: the provider asked for an invoice and got no answer', O.d.tail())
    t.ok(O.col.results(req2.id).length === 0, 'short outage: no result without an invoice')
    await sleep(3000)
    t.ok((await O.W.ask('online'))?.online === true, 'short outage: online again after 3 s')
    const res2 = await O.col.waitFor(req2.id, (e) => e.kind === 6932, 30000)
    if (t.ok(res2 && statusOf(res2) === 'success', 'short outage: a successful result within 30 s', O.d.tail())) {
      await invoiceOf(t, res2, O, 'short outage: the result')
      t.ok(!codesOf(res2).length && !O.col.feedback(req2.id).some((e) => statusOf(e) === 'error'), 'short outage: no error')
    }

    // away past the limit: E007, and no invoice anywhere
    const since3 = Math.floor(Date.now() / 1000)
    const req3 = await post([O.url], buyer(), patchJob(O.fx, 'fix', { provider: O.pk }))
    t.ok((await O.W.ask('offline'))?.online === false, 'long outage: offline')
    const miss3 = await until(async () => (await provRequests(O, 'make_invoice', (r) => r.at >= since3 && r.dropped === 'offline')).length > 0, 90000, 500)
    t.ok(miss3, 'long outage: the provider asked for an invoice and got no answer')
    const end = await O.col.waitEnd(req3.id, 40000)
    t.ok(end, 'long outage: the job ends within 40 s of that', O.d.tail())
    t.ok(O.col.feedback(req3.id).some((e) => statusOf(e) === 'error' && codesOf(e).includes('E007')), 'long outage: a 7000 error with E007')
    for (const [c, d, x] of failureChecks(O.col, req3, O.pk, 'E007', 'long outage')) t.ok(c, d, x)
    const res3 = O.col.results(req3.id)[0]
    t.ok(res3 && statusOf(res3) === 'failed', 'long outage: a 6932 with ["status", "failed"]', JSON.stringify(res3?.tags))
    t.ok(O.col.of(req3.id).every((e) => !tagOf(e, 'amount') && !/lnbcrt/.test(JSON.stringify(e.tags) + e.content)), 'long outage: no amount and no bolt11 in any event')
    t.ok(await until(() => jobRow(O.d, req3)?.status === 'failed', 5000, 500), 'long outage: the ledger says failed', JSON.stringify(jobRow(O.d, req3)))
    t.ok((await O.W.ask('online'))?.online === true, 'long outage: online again')
    await sleep(3000)
    t.ok(O.col.results(req3.id).length === 1 && !tagOf(O.col.results(req3.id)[0], 'amount'), 'long outage: no late result with an invoice')
  }
})

// What each ledger says in sum: paid jobs' earned_sats and the earnings
// report agree (nothing counted twice); then everything stops.
for (const w of [A, F, O]) {
  const rows = jobRows(w.d)
  const paid = rows.filter((r) => r.status === 'paid')
  const e = earnings(w.d)
  const sum = paid.reduce((s, r) => s + r.earned_sats, 0)
  check(e && e.earned_sats === sum && (e.by_type || []).reduce((s, x) => s + x.earned_sats, 0) === sum,
    `${w.name}: earnings (${e?.earned_sats}) = the paid jobs' earned_sats (${sum}, ${paid.length} jobs)`, JSON.stringify({ e, rows }))
  check(rows.every((r) => r.status === 'paid' || !r.earned_sats), `${w.name}: only paid jobs have earned anything`)
}
for (const w of [A, F, O]) {
  w.nwc.close()
  w.col.close()
  check(w.d.running(), `${w.name}: the daemon is still running`)
  await w.d.stop()
  check(w.d.proc.exitCode === 0, `${w.name}: the daemon stops cleanly`, w.d.tail())
  await w.W.stop()
  for (const r of w.relays) await stopProc(r.proc)
}
finish()
