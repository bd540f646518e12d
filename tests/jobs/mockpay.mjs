// Payments for the stand-in provider (mockprovider.mjs, OA_JOBS_MOCK=1),
// for checking jobs-pay.mjs itself; it proves nothing about the daemon.
// It does what PROTOCOL.md §A.12, §E.1 and §E.5 and the [wallet] keys of
// openagents.toml(5) say: make_invoice through the NWC connection that
// bringUp left in provider/mock-wallet-uri, retried for
// outage_limit_secs when unanswered after request_timeout_secs; a paid
// invoice is found by lookup_invoice every poll_secs or by a
// payment_received notification, an unpaid one lapses.  Its "ledger" is
// provider/mock-jobs.json, the rows of `provider jobs --json`.
import { createHash } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { nwcClient, sleep } from './jobslib.mjs'

// OA_MOCK_BUG=eagerpay: any lookup answer counts as a payment, unchecked
const EAGER = process.env.OA_MOCK_BUG === 'eagerpay'
const sha256hex = (h) => createHash('sha256').update(Buffer.from(h || '', 'hex')).digest('hex')

export async function mockPayments (home, cfg, log) {
  const file = join(home, 'provider', 'mock-jobs.json')
  const rows = new Map()
  const save = () => { writeFileSync(file + '.tmp', JSON.stringify([...rows.values()])); renameSync(file + '.tmp', file) }
  const set = (req, fields) => {
    const r = rows.get(req.id) || { id: `job_${req.id.slice(0, 16)}`, request_id: req.id, type: null, status: 'received', earned_sats: 0 }
    rows.set(req.id, Object.assign(r, fields))
    save()
  }
  const base = {
    mode: 'free',
    row: (req, type) => set(req, { type, status: 'running' }),
    failed: (req) => { if (rows.has(req.id)) set(req, { status: 'failed' }) },
    invoice: async () => [],
    first: async () => true,
    done: (req) => { if (rows.has(req.id)) set(req, { status: 'published' }) }
  }
  let uri = null
  try { uri = readFileSync(join(home, 'provider', 'mock-wallet-uri'), 'utf8').trim() } catch {}
  const mode = cfg('mode') || 'free'
  if (mode === 'free' || !uri) return base

  const timeout = (cfg('request_timeout_secs') ?? 20) * 1000
  const outage = (cfg('outage_limit_secs') ?? 600) * 1000
  const poll = (cfg('poll_secs') ?? 10) * 1000
  const expiry = cfg('invoice_expiry_secs') ?? 3600
  const c = await nwcClient(uri)
  // the sdk's own request, with the configured reply timeout
  const ask = (method, params) => c.executeNip47Request(method, params, (r) => !!r, { replyTimeout: timeout })
  const open = new Map()	// payment hash -> { req, msats, first, resolve, timer, expires }

  function close (hash, status, earned) {
    const o = open.get(hash)
    if (!o) return null
    open.delete(hash)
    clearInterval(o.timer)
    set(o.req, { status: o.first && status === 'paid' ? 'running' : status, earned_sats: earned })
    o.resolve?.(status === 'paid')
    return o
  }
  function settle (hash, preimage, how) {
    const o = open.get(hash)
    if (!o || (sha256hex(preimage) !== hash && !EAGER)) return
    close(hash, 'paid', o.msats / 1000)
    log(`job ${o.req.id}: paid (${how})`)
  }
  function watch (req, tx, first, resolve) {
    const o = { req, msats: tx.amount, first, resolve, expires: tx.expires_at }
    o.timer = setInterval(async () => {
      if (Date.now() / 1000 >= o.expires) return close(tx.payment_hash, 'expired', 0)
      try {
        const r = await ask('lookup_invoice', { payment_hash: tx.payment_hash })
        if (r.state === 'settled' || EAGER) settle(tx.payment_hash, r.preimage, 'lookup')
        else if (r.state === 'expired') close(tx.payment_hash, 'expired', 0)
      } catch (e) { log(`lookup_invoice: ${e.message}`) }
    }, poll)
    open.set(tx.payment_hash, o)
  }
  await c.subscribeNotifications((n) => settle(n.notification?.payment_hash, n.notification?.preimage, 'notification'), ['payment_received'])

  async function makeInvoice (req, sats) {
    const t0 = Date.now()
    for (let i = 0; i < 10000; i++) {
      try {
        return await ask('make_invoice', { amount: sats * 1000, description: `NIP-90 job ${req.id}`, expiry })
      } catch (e) {
        log(`make_invoice: ${e.message}`)
        if (Date.now() - t0 >= outage) return null
        await sleep(200)
      }
    }
    return null
  }

  return {
    ...base,
    mode,
    // pay_after_verify: the result's amount tag, or null (E007)
    async invoice (req, sats) {
      if (mode !== 'pay_after_verify') return []
      const tx = await makeInvoice(req, sats)
      if (!tx) return null
      watch(req, tx, false, null)
      return [['amount', String(tx.amount), tx.invoice]]
    },
    // pay_first: true once paid, false when it lapsed, 'E007'
    async first (req, sats, feedback) {
      if (mode !== 'pay_first') return true
      set(req, { status: 'invoiced' })
      const tx = await makeInvoice(req, sats)
      if (!tx) return 'E007'
      const paid = new Promise((resolve) => watch(req, tx, true, resolve))
      await feedback([['status', 'payment-required', ''], ['amount', String(tx.amount), tx.invoice]])
      return paid
    },
    done (req) {
      const r = rows.get(req.id)
      if (r) set(req, { status: mode === 'pay_first' ? 'paid' : (r.status === 'running' ? 'published' : r.status) })
    }
  }
}
