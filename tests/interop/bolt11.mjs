// Interop of the BOLT #11 decoder (common/bolt11.c, through `oatool
// bolt11-decode`) with the npm `bolt11` package, which makes and signs
// the invoices here with a random node key, and with
// `light-bolt11-decoder`: every field both read must agree.  Then the
// same invoices broken one character, cut short or in mixed case must
// be refused, by their checksum where that is what broke.
import bolt11 from 'bolt11'
import lightBolt11 from 'light-bolt11-decoder'
import { createHash, randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { ok, finish, OATOOL } from './lib.mjs'

const NETWORKS = {
  bc: { bech32: 'bc', pubKeyHash: 0x00, scriptHash: 0x05, validWitnessVersions: [0, 1] },
  tb: { bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  bcrt: { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] }
}
const NAMES = { bc: 'mainnet', tb: 'testnet', bcrt: 'regtest' }
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'

// Amounts in msat: msat precision, whole sats, large ones, and none.
const AMOUNTS = [undefined, '1', '10', '999', '1001', '12345', '100000', '2500000',
  '123456789', '2500000000', '100000000000', '2100000000000000']
const DESCRIPTIONS = ['', 'coffee', 'ナンセンス 1杯', 'a "quoted" \\ back\nslash\ttab',
  'emoji 🎉 ok', 'x'.repeat(639)]
const EXPIRIES = [60, 600, 3600, 86400, 604800, 31536000]
const CLTVS = [9, 18, 40, 144, 1000]

function decodeOurs (invoice) {
  const r = spawnSync(OATOOL, ['bolt11-decode', invoice], { encoding: 'utf8', timeout: 30000 })
  if (r.status === 0) return { ok: true, json: JSON.parse(r.stdout) }
  return { ok: false, status: r.status, err: r.stderr.trim() }
}

function theirsThrows (invoice) {
  try {
    bolt11.decode(invoice)
    return false
  } catch (e) {
    return true
  }
}

function makeInvoice (i, net, key) {
  const msats = AMOUNTS[i % AMOUNTS.length]
  const hashed = i % 4 === 3
  const description = DESCRIPTIONS[i % DESCRIPTIONS.length]
  const expiry = EXPIRIES[i % EXPIRIES.length]
  const cltv = CLTVS[i % CLTVS.length]
  const timestamp = 1700000000 + i * 7919
  const paymentHash = randomBytes(32).toString('hex')
  const secret = randomBytes(32).toString('hex')
  const tags = [
    { tagName: 'payment_hash', data: paymentHash },
    { tagName: 'payment_secret', data: secret },
    { tagName: 'expire_time', data: expiry },
    { tagName: 'min_final_cltv_expiry', data: cltv }
  ]
  if (hashed) {
    tags.push({ tagName: 'purpose_commit_hash', data: createHash('sha256').update(description).digest('hex') })
  } else {
    tags.push({ tagName: 'description', data: description })
  }
  const req = { network: NETWORKS[net], timestamp, tags }
  if (msats !== undefined) req.millisatoshis = msats
  const signed = bolt11.sign(bolt11.encode(req), key)
  return {
    invoice: signed.paymentRequest,
    want: { net, msats, hashed, description, expiry, cltv, timestamp, paymentHash, secret, payee: signed.payeeNodeKey }
  }
}

function section (light, name) {
  const s = light.sections.find((x) => x.name === name)
  return s === undefined ? undefined : s.value
}

function compare (invoice, want) {
  const ours = decodeOurs(invoice)
  if (!ours.ok) {
    ok(false, `ours decodes ${invoice.slice(0, 24)}…`, ours.err)
    return null
  }
  const o = ours.json
  const t = bolt11.decode(invoice)
  const tt = t.tagsObject
  const l = lightBolt11.decode(invoice)
  const label = `${want.net} ${want.msats ?? 'any'} msat x=${want.expiry}`
  const diffs = []
  const same = (what, a, b) => { if (a !== b) diffs.push(`${what}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`) }

  same('network', o.network, NAMES[want.net])
  same('currency', o.currency, want.net)
  same('currency (light)', o.currency, section(l, 'coin_network').bech32)
  const amt = o.amount_msats === null ? null : String(o.amount_msats)
  same('amount (made)', amt, want.msats ?? null)
  same('amount (bolt11)', amt, t.millisatoshis ?? null)
  same('amount (light)', amt, section(l, 'amount') ?? null)
  same('timestamp (made)', o.timestamp, want.timestamp)
  same('timestamp (bolt11)', o.timestamp, t.timestamp)
  same('timestamp (light)', o.timestamp, section(l, 'timestamp'))
  same('payment hash (made)', o.payment_hash, want.paymentHash)
  same('payment hash (bolt11)', o.payment_hash, tt.payment_hash)
  same('payment hash (light)', o.payment_hash, section(l, 'payment_hash'))
  same('payment secret (bolt11)', o.payment_secret, tt.payment_secret)
  same('payment secret (light)', o.payment_secret, section(l, 'payment_secret'))
  same('expiry (bolt11)', o.expiry, tt.expire_time)
  same('expiry (light)', o.expiry, l.expiry)
  same('expires at (bolt11)', o.expires_at, t.timeExpireDate)
  same('min_final_cltv (bolt11)', o.min_final_cltv, tt.min_final_cltv_expiry)
  same('min_final_cltv (light)', o.min_final_cltv, section(l, 'min_final_cltv_expiry'))
  same('payee (signer)', o.payee, want.payee)
  same('payee (bolt11 recovery)', o.payee, t.payeeNodeKey)
  same('payee given', o.payee_given, false)
  if (want.hashed) {
    const h = createHash('sha256').update(want.description).digest('hex')
    same('description hash (made)', o.description_hash, h)
    same('description hash (bolt11)', o.description_hash, tt.purpose_commit_hash)
    same('description hash (light)', o.description_hash, section(l, 'description_hash'))
    same('no description', o.description, undefined)
  } else {
    same('description (made)', o.description, want.description)
    same('description (bolt11)', o.description, tt.description)
    same('description (light)', o.description, section(l, 'description'))
  }
  // the package's default feature bits: var_onion_optin and
  // payment_secret, both optional
  same('features', JSON.stringify(o.features), JSON.stringify([9, 15]))
  same('features (bolt11)', tt.feature_bits.payment_secret.supported, o.features.includes(15))
  ok(diffs.length === 0, `${label}: ours, bolt11 and light-bolt11-decoder agree`, diffs.join('\n'))

  const upper = decodeOurs(invoice.toUpperCase())
  ok(upper.ok && JSON.stringify(upper.json) === JSON.stringify(o), `${label}: the upper-case form decodes the same`,
    upper.err)
  return o
}

// One character of the data part replaced by another bech32 character.
function flipped (invoice, rnd) {
  const sep = invoice.lastIndexOf('1')
  const pos = sep + 1 + (rnd % (invoice.length - sep - 1))
  const old = invoice[pos]
  const rep = CHARSET[(CHARSET.indexOf(old) + 1 + (rnd >>> 8) % 31) % 32]
  return { s: invoice.slice(0, pos) + rep + invoice.slice(pos + 1), pos }
}

function refused (what, s, why, theirsToo) {
  const r = decodeOurs(s)
  ok(!r.ok && r.status === 1 && (why === undefined || r.err.includes(why)),
    `${what}: refused${why ? ` (${why})` : ''}`, r.ok ? 'decoded' : r.err)
  if (theirsToo) ok(theirsThrows(s), `${what}: bolt11 refuses it too`)
}

const key = randomBytes(32).toString('hex')
const made = []
let n = 0
let payee = null
for (const net of ['bc', 'tb', 'bcrt']) {
  for (let i = 0; i < 12; i++, n++) {
    const { invoice, want } = makeInvoice(n, net, key)
    made.push(invoice)
    const o = compare(invoice, want)
    if (o !== null) payee = o.payee
  }
}
ok(made.length >= 30, `${made.length} invoices made by bolt11 and compared`)

// A second key: the payee follows the signer.
{
  const other = randomBytes(32).toString('hex')
  const { invoice, want } = makeInvoice(3, 'bc', other)
  const o = compare(invoice, want)
  ok(o !== null && payee !== null && o.payee !== payee, 'another key gives another payee')
}

// Broken copies.  A single substituted character always changes the
// bech32 checksum (its generator does not divide e * x^k), however long
// the string, so each flip must fail there.
made.forEach((inv, i) => {
  const rnd = randomBytes(4).readUInt32BE(0)
  const f = flipped(inv, rnd)
  refused(`invoice ${i} with character ${f.pos} changed`, f.s, 'checksum', true)
})
made.slice(0, 6).forEach((inv, i) => {
  refused(`invoice ${i} without its last character`, inv.slice(0, -1), 'checksum', true)
  refused(`invoice ${i} cut to 100 characters`, inv.slice(0, 100), 'checksum', true)
  refused(`invoice ${i} without its last 110 data words`, inv.slice(0, -110), 'checksum')
  const sep = inv.lastIndexOf('1')
  const j = sep + 5
  const swapped = inv.slice(0, j) + inv[j + 1] + inv[j] + inv.slice(j + 2)
  if (swapped !== inv) refused(`invoice ${i} with two characters swapped`, swapped, 'checksum', true)
  refused(`invoice ${i} in mixed case`, inv.slice(0, 2).toUpperCase() + inv.slice(2), 'mixed upper and lower case')
  refused(`invoice ${i} without its separator`, inv.slice(0, sep) + inv.slice(sep + 1), undefined, true)
})
refused('an empty string', '', 'bech32')
refused('the hrp alone', 'lnbc1', 'bech32')

finish()
