// The NIP-47 wallet the payment tests run against (spec/TESTING.md
// "wallet", PROTOCOL.md §C.8): @getalby/sdk's NWCWalletService on the
// local npm relay, with an in-memory ledger behind its handlers.  Its
// invoices are real-format regtest BOLT11 (lnbcrt…) signed by the npm
// bolt11 package with a fixed node key; only the money is pretend.  Two
// connections (apps) of the one service: the provider's, which makes
// invoices, and the buyer's, which pays them.
//
//   node wallet.mjs --relay URL [--relay URL]... [--alias NAME] [--balance MSATS]
//
// When its info event (13194) is stored and both connections are
// subscribed, it prints one JSON line {"provider_uri", "buyer_uri",
// "wallet_pubkey", "node_pubkey", "provider_pubkey", "buyer_pubkey"}.
// Then stdin takes one command a line, each answered by one JSON line
// {"cmd", "ok", ...}:
//   offline | online        stop / resume answering requests (they are
//                           dropped, as by a wallet that is away)
//   notify HASH             a payment_received notification of that
//                           invoice to its owner: kind 23197 (NIP-44) and
//                           23196 (NIP-04); 8.0.3's service sends none
//   pay BOLT11              settle one of its invoices directly
//   state HASH              the invoice as the ledger has it
//   forge REQUEST_ID        a 23195 answer to that request claiming
//                           "settled", signed by another key
//   replay [ID]             re-publish the last 23195 answer sent (or the
//                           one with that id, or the one to that request)
//   requests [METHOD]       the requests seen: id, from, method, params,
//                           dropped, answer id, answered state or error
// Everything it does is logged to stderr.  SIGTERM, or the end of stdin,
// ends it.
import { createHash, randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { npm, cjs, nwcSdk, refilter } from './npm.mjs'

const { NWCWalletService, NWCWalletServiceKeyPair } = await nwcSdk()
const { generateSecretKey, getPublicKey, finalizeEvent } = await npm('nostr-tools/pure')
const nip04 = await npm('nostr-tools/nip04')
const nip44 = await npm('nostr-tools/nip44')
const bolt11 = cjs('bolt11')
const secp256k1 = cjs('secp256k1')

const log = (...a) => process.stderr.write(`wallet[${process.pid}] ${a.join(' ')}\n`)
const now = () => Math.floor(Date.now() / 1000)
const hex = (b) => Buffer.from(b).toString('hex')
const sha256 = (b) => createHash('sha256').update(b).digest('hex')

function usage (msg) {
  process.stderr.write(`wallet.mjs: ${msg}\nusage: node wallet.mjs --relay URL [--relay URL]... [--alias NAME] [--balance MSATS]\n`)
  process.exit(2)
}

const opts = { relays: [], alias: 'oa-test-wallet', balance: 100000000 }
{
  const a = process.argv.slice(2)
  for (let i = 0; i < a.length; i++) {
    const need = () => { if (i + 1 >= a.length) usage(`${a[i]} needs a value`); return a[++i] }
    switch (a[i]) {
      case '--relay': opts.relays.push(need()); break
      case '--alias': opts.alias = need(); break
      case '--balance': opts.balance = Number(need()); break
      default: usage(`unknown argument ${a[i]}`)
    }
  }
  if (opts.relays.length === 0) usage('--relay URL is required')
  if (!Number.isSafeInteger(opts.balance) || opts.balance < 0) usage('--balance takes msats')
}

const METHODS = ['pay_invoice', 'get_balance', 'make_invoice', 'lookup_invoice', 'list_transactions', 'get_info', 'notifications']
const NOTIFICATIONS = ['payment_received', 'payment_sent']
const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] }
// the same node every run, so that a test may know its payee key
const NODE_KEY = sha256('openagents provider tests: wallet node key')
const NODE_PUBKEY = hex(secp256k1.publicKeyCreate(Buffer.from(NODE_KEY, 'hex')))
const PAGE = 20

const walletSk = generateSecretKey()
const walletPk = getPublicKey(walletSk)

function app (name, balance) {
  const sk = generateSecretKey()
  return { name, sk, pk: getPublicKey(sk), balance }
}
const apps = { provider: app('provider', 0), buyer: app('buyer', opts.balance) }
const appByPk = new Map(Object.values(apps).map((x) => [x.pk, x]))

// --- the ledger ------------------------------------------------------------

const invoices = new Map()	// payment hash -> incoming invoice
const payments = []		// outgoing, as the payer sees them
let online = true

const ok = (result) => ({ result, error: null })
const fail = (code, message) => ({ result: null, error: { code, message } })

function stateOf (inv) {
  if (inv.state === 'pending' && now() >= inv.expires_at) {
    inv.state = 'expired'
    log(`invoice ${inv.payment_hash} expired`)
  }
  return inv.state
}

// the NIP-47 transaction object; the preimage only once paid
function txOf (inv) {
  const settled = stateOf(inv) === 'settled'
  return {
    type: 'incoming',
    state: inv.state,
    invoice: inv.invoice,
    description: inv.description,
    description_hash: inv.description_hash,
    preimage: settled ? inv.preimage : '',
    payment_hash: inv.payment_hash,
    amount: inv.amount,
    fees_paid: 0,
    created_at: inv.created_at,
    expires_at: inv.expires_at,
    settled_at: settled ? inv.settled_at : null,
    metadata: inv.metadata
  }
}

function hashOf (invoice) {
  const d = bolt11.decode(invoice, REGTEST)
  return d.tags.find((t) => t.tagName === 'payment_hash')?.data
}

function makeInvoice (owner, p) {
  const amount = p?.amount
  if (!Number.isSafeInteger(amount) || amount <= 0) return fail('OTHER', 'amount: a positive number of msats')
  const expiry = p.expiry ?? 3600
  if (!Number.isSafeInteger(expiry) || expiry <= 0) return fail('OTHER', 'expiry: a positive number of seconds')
  const description = p.description ?? ''
  if (Buffer.byteLength(description) > 639) return fail('OTHER', 'description: at most 639 bytes')
  if (p.description_hash !== undefined && !/^[0-9a-f]{64}$/.test(p.description_hash)) return fail('OTHER', 'description_hash: 32 bytes of hex')
  const preimage = hex(randomBytes(32))
  const paymentHash = sha256(Buffer.from(preimage, 'hex'))
  const created = now()
  const tags = [
    { tagName: 'payment_hash', data: paymentHash },
    { tagName: 'payment_secret', data: hex(randomBytes(32)) },
    p.description_hash ? { tagName: 'purpose_commit_hash', data: p.description_hash } : { tagName: 'description', data: description },
    { tagName: 'expire_time', data: expiry }
  ]
  const invoice = bolt11.sign(bolt11.encode({ network: REGTEST, millisatoshis: String(amount), timestamp: created, tags }), NODE_KEY).paymentRequest
  const inv = {
    owner: owner.name,
    state: 'pending',
    invoice,
    description,
    description_hash: p.description_hash || '',
    preimage,
    payment_hash: paymentHash,
    amount,
    created_at: created,
    expires_at: created + expiry,
    settled_at: null,
    metadata: p.metadata
  }
  invoices.set(paymentHash, inv)
  log(`${owner.name}: invoice ${paymentHash} ${amount} msats, expiry ${expiry} s, "${description.slice(0, 80)}"`)
  return ok(txOf(inv))
}

function settle (inv, how) {
  inv.state = 'settled'
  inv.settled_at = now()
  apps[inv.owner].balance += inv.amount
  log(`invoice ${inv.payment_hash} settled (${how})`)
}

function lookupInvoice (who, p) {
  let hash = p?.payment_hash
  if (!hash && p?.invoice) {
    try { hash = hashOf(p.invoice) } catch (e) { return fail('OTHER', `invoice: ${e.message}`) }
  }
  if (!hash) return fail('OTHER', 'payment_hash or invoice is required')
  const inv = invoices.get(hash)
  if (inv && inv.owner === who.name) return ok(txOf(inv))
  const out = payments.find((x) => x.payer === who.name && x.payment_hash === hash)
  if (out) return ok(out.tx)
  return fail('NOT_FOUND', `no invoice ${hash}`)
}

function payInvoice (payer, p) {
  let hash
  try { hash = hashOf(p?.invoice || '') } catch (e) { return fail('OTHER', `invoice: ${e.message}`) }
  const inv = invoices.get(hash)
  if (!inv) return fail('PAYMENT_FAILED', 'no route: not an invoice of this wallet')
  const st = stateOf(inv)
  if (st !== 'pending') return fail('PAYMENT_FAILED', `invoice ${st}`)
  if (payer.balance < inv.amount) return fail('INSUFFICIENT_BALANCE', `${payer.balance} msats < ${inv.amount}`)
  payer.balance -= inv.amount
  settle(inv, `paid by ${payer.name}`)
  payments.push({ payer: payer.name, payment_hash: hash, tx: { ...txOf(inv), type: 'outgoing' } })
  return ok({ preimage: inv.preimage, fees_paid: 0 })
}

function listTransactions (who, p = {}) {
  const mine = [
    ...[...invoices.values()].filter((x) => x.owner === who.name).map(txOf)
      .filter((t) => t.state === 'settled' || p.unpaid),
    ...payments.filter((x) => x.payer === who.name).map((x) => x.tx)
  ].filter((t) => (!p.type || t.type === p.type) &&
    (p.from === undefined || t.created_at >= p.from) && (p.until === undefined || t.created_at <= p.until))
  mine.sort((a, b) => b.created_at - a.created_at)
  const off = Number.isSafeInteger(p.offset) && p.offset > 0 ? p.offset : 0
  const lim = Number.isSafeInteger(p.limit) && p.limit > 0 ? Math.min(p.limit, PAGE) : PAGE
  return ok({ transactions: mine.slice(off, off + lim) })
}

const getInfo = () => ok({
  alias: opts.alias,
  color: '#3b7dd8',
  pubkey: NODE_PUBKEY,
  network: 'regtest',
  block_height: 101,
  block_hash: sha256('oa-test block 101'),
  methods: METHODS,
  notifications: NOTIFICATIONS
})

// Each connection's handlers; the service answers NOT_IMPLEMENTED for
// what is not here.
function handlers (who) {
  const run = (method, fn) => async (params) => {
    const r = fn(who, params)
    log(`${who.name}: ${method} ${JSON.stringify(params ?? {}).slice(0, 160)} -> ${r.error ? r.error.code : (r.result.state || 'ok')}`)
    return r
  }
  return {
    getInfo: run('get_info', getInfo),
    makeInvoice: run('make_invoice', makeInvoice),
    payInvoice: run('pay_invoice', payInvoice),
    lookupInvoice: run('lookup_invoice', lookupInvoice),
    getBalance: run('get_balance', (w) => ok({ balance: w.balance })),
    listTransactions: run('list_transactions', listTransactions)
  }
}

// --- the service -------------------------------------------------------------

const service = new NWCWalletService({ relayUrls: opts.relays })
await refilter(service.pool)

const requests = []		// what came, oldest first (the last 1000)
const requestById = new Map()
const answers = []		// the 23195s it signed (the last 1000)
const probes = new Set()	// readiness probes: seen, never answered

async function decrypt (scheme, peer, content) {
  return scheme === 'nip44_v2'
    ? nip44.decrypt(content, nip44.getConversationKey(walletSk, peer))
    : nip04.decrypt(walletSk, peer, content)
}

async function encrypt (scheme, sk, peer, text) {
  return scheme === 'nip44_v2'
    ? nip44.encrypt(text, nip44.getConversationKey(sk, peer))
    : nip04.encrypt(sk, peer, text)
}

function keep (list, x) {
  list.push(x)
  if (list.length > 1000) list.shift()
}

// Sees every request before the service does: notes it, and drops it
// when the wallet is offline or the request has expired (NIP-47).
async function admit (ev) {
  if (probes.has(ev.id)) { probes.delete(ev.id); return false }
  const who = appByPk.get(ev.pubkey)
  if (!who) return false
  const rec = { id: ev.id, from: who.name, at: now(), encryption: ev.tags.find((t) => t[0] === 'encryption')?.[1] || 'nip04', method: null, params: null, dropped: null, answer: null, state: null, error: null }
  try {
    const q = JSON.parse(await decrypt(rec.encryption, ev.pubkey, ev.content))
    rec.method = q.method
    rec.params = q.params
  } catch (e) {
    rec.error = `undecryptable: ${e.message}`
  }
  keep(requests, rec)
  requestById.set(rec.id, rec)
  const exp = Number(ev.tags.find((t) => t[0] === 'expiration')?.[1])
  if (Number.isFinite(exp) && exp < now()) rec.dropped = 'expired'
  else if (!online) rec.dropped = 'offline'
  if (rec.dropped) log(`${who.name}: ${rec.method} ${ev.id} dropped (${rec.dropped})`)
  return !rec.dropped
}

const poolSubscribe = service.pool.subscribe.bind(service.pool)
service.pool.subscribe = (relays, filter, params) => poolSubscribe(relays, filter, {
  ...params,
  onevent: async (ev) => {
    if (ev.kind !== 23194 || await admit(ev)) return params.onevent?.(ev)
  }
})

const serviceSign = service.signEvent.bind(service)
service.signEvent = async (template, sk) => {
  const ev = await serviceSign(template, sk)
  if (ev.kind === 23195) {
    keep(answers, ev)
    const rec = requestById.get(ev.tags.find((t) => t[0] === 'e')?.[1])
    if (rec) {
      rec.answer = ev.id
      try {
        const r = JSON.parse(await decrypt(rec.encryption, appByPk.get(ev.tags.find((t) => t[0] === 'p')?.[1])?.pk, ev.content))
        rec.state = r.result?.state ?? null
        rec.error = r.error?.code ?? null
      } catch {}
    }
  }
  return ev
}

async function publish (ev) {
  const outcomes = await Promise.allSettled(service.pool.publish(opts.relays, ev))
  // the pool resolves a connection failure too, as a text
  const took = outcomes.filter((o) => o.status === 'fulfilled' && !/^connection failure/.test(o.value)).length
  if (took === 0) throw new Error(`no relay took ${ev.id}: ${outcomes.map((o) => o.reason || o.value).join('; ')}`)
  return took
}

// An unanswered publish of the service must not end the wallet.
process.on('unhandledRejection', (e) => log('unhandled:', e && e.stack ? e.stack : e))

// the service's own info event says "nip04 nip44_v2"; this one prefers NIP-44
await publish(finalizeEvent({
  kind: 13194,
  created_at: now(),
  tags: [['encryption', 'nip44_v2 nip04'], ['notifications', NOTIFICATIONS.join(' ')]],
  content: METHODS.join(' ')
}, walletSk))

for (const who of Object.values(apps)) await service.subscribe(new NWCWalletServiceKeyPair(hex(walletSk), who.pk), handlers(who))

// Ready once a probe from each connection has come through its
// subscription: requests are ephemeral, one sent before it is live is lost.
for (const who of Object.values(apps)) {
  let seen = false
  for (let i = 0; i < 40 && !seen; i++) {
    const probe = finalizeEvent({
      kind: 23194,
      created_at: now(),
      tags: [['p', walletPk], ['encryption', 'nip44_v2']],
      content: await encrypt('nip44_v2', who.sk, walletPk, JSON.stringify({ method: 'get_info', params: {} }))
    }, who.sk)
    probes.add(probe.id)
    try { await publish(probe) } catch (e) { log(e.message) }
    for (let j = 0; j < 10 && probes.has(probe.id); j++) await new Promise((resolve) => setTimeout(resolve, 50))
    seen = !probes.has(probe.id)
    probes.delete(probe.id)
  }
  if (!seen) { log(`${who.name}: the subscription never came live`); process.exit(1) }
}

const uri = (who) => `nostr+walletconnect://${walletPk}?${opts.relays.map((r) => 'relay=' + encodeURIComponent(r)).join('&')}&secret=${hex(who.sk)}`
process.stdout.write(JSON.stringify({
  provider_uri: uri(apps.provider),
  buyer_uri: uri(apps.buyer),
  wallet_pubkey: walletPk,
  node_pubkey: NODE_PUBKEY,
  provider_pubkey: apps.provider.pk,
  buyer_pubkey: apps.buyer.pk
}) + '\n')
log(`ready: wallet ${walletPk} node ${NODE_PUBKEY} on ${opts.relays.join(' ')}`)

// --- control -------------------------------------------------------------------

async function notify (hash) {
  const inv = invoices.get(hash)
  if (!inv) return { ok: false, error: `unknown payment hash ${hash}` }
  const to = apps[inv.owner]
  const text = JSON.stringify({ notification_type: 'payment_received', notification: txOf(inv) })
  const ids = []
  for (const [kind, scheme] of [[23197, 'nip44_v2'], [23196, 'nip04']]) {
    const ev = finalizeEvent({ kind, created_at: now(), tags: [['p', to.pk]], content: await encrypt(scheme, walletSk, to.pk, text) }, walletSk)
    await publish(ev)
    ids.push(ev.id)
  }
  log(`notified ${to.name}: payment_received ${hash} (${inv.state}) as ${ids.join(' ')}`)
  return { ok: true, ids, state: inv.state }
}

function payDirect (invoice) {
  let hash
  try { hash = hashOf(invoice || '') } catch (e) { return { ok: false, error: `invoice: ${e.message}` } }
  const inv = invoices.get(hash)
  if (!inv) return { ok: false, error: 'not an invoice of this wallet' }
  const st = stateOf(inv)
  if (st !== 'pending') return { ok: false, error: `invoice ${st}` }
  settle(inv, 'paid from outside')
  return { ok: true, payment_hash: hash, preimage: inv.preimage }
}

async function forge (id) {
  const rec = requestById.get(id)
  if (!rec) return { ok: false, error: `no request ${id}` }
  let hash = rec.params?.payment_hash
  if (!hash && rec.params?.invoice) try { hash = hashOf(rec.params.invoice) } catch {}
  const inv = hash && invoices.get(hash)
  const claim = {
    ...(inv ? txOf(inv) : { type: 'incoming', payment_hash: hash || '', invoice: rec.params?.invoice || '', amount: rec.params?.amount || 0 }),
    state: 'settled',
    preimage: hex(randomBytes(32)),
    settled_at: now()
  }
  const text = JSON.stringify({ result_type: rec.method, error: null, result: claim })
  const sk = generateSecretKey()
  const to = apps[rec.from]
  const ev = finalizeEvent({ kind: 23195, created_at: now(), tags: [['e', id], ['p', to.pk]], content: await encrypt(rec.encryption, sk, to.pk, text) }, sk)
  await publish(ev)
  log(`forged a "settled" ${rec.method} answer to ${id} as ${ev.id} by ${getPublicKey(sk)}`)
  return { ok: true, id: ev.id, pubkey: getPublicKey(sk), request: id }
}

async function replay (id) {
  const ev = id
    ? answers.find((a) => a.id === id || a.tags.some((t) => t[0] === 'e' && t[1] === id))
    : answers[answers.length - 1]
  if (!ev) return { ok: false, error: id ? `no answer ${id}` : 'no answer sent yet' }
  await publish(ev)
  const req = ev.tags.find((t) => t[0] === 'e')?.[1]
  log(`replayed ${ev.id} (the answer to ${req})`)
  return { ok: true, id: ev.id, request: req }
}

function stateCmd (hash) {
  const inv = invoices.get(hash)
  if (!inv) return { ok: false, error: `unknown payment hash ${hash}` }
  return { ok: true, owner: inv.owner, ...txOf(inv) }
}

async function command (line) {
  const [cmd = '', ...args] = line.trim().split(/\s+/)
  switch (cmd) {
    case 'offline':
    case 'online':
      online = cmd === 'online'
      log(`now ${cmd}`)
      return { ok: true, online }
    case 'notify': return notify(args[0])
    case 'pay': return payDirect(args[0])
    case 'state': return stateCmd(args[0])
    case 'forge': return forge(args[0])
    case 'replay': return replay(args[0])
    case 'requests':
      return {
        ok: true,
        requests: requests.filter((r) => !args[0] || r.method === args[0])
          .map(({ encryption, ...r }) => r)
      }
    default: return { ok: false, error: `unknown command "${cmd}"` }
  }
}

function shutdown (why) {
  log(`${why}: stopping`)
  try { service.close() } catch {}
  process.exit(0)
}

// one answer per command, in order
let queue = Promise.resolve()
const rl = createInterface({ input: process.stdin })
rl.on('line', (line) => {
  if (!line.trim()) return
  queue = queue.then(async () => {
    let out
    try { out = await command(line) } catch (e) { out = { ok: false, error: e.message } }
    process.stdout.write(JSON.stringify({ cmd: line.trim().split(/\s+/)[0], ...out }) + '\n')
  })
})
rl.on('close', () => { queue.then(() => shutdown('end of input')) })
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))
