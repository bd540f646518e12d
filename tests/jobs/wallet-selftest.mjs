// The test wallet (wallet.mjs) on its own, driven by two NWCClients of
// @getalby/sdk, the buyer's and the provider's, over the npm relay: its
// info event, get_info, balances, an invoice both npm decoders read as
// regtest with the right amount and the node's signature, paid by the
// buyer and then settled with a preimage of its hash, a NIP-04
// connection, notifications of both kinds, and the control commands the
// payment tests use (pay, state, offline, online, forge, replay).
import { createHash } from 'node:crypto'
import {
  check, finish, deadline, tempdir, startRelay, stopProc, sleep, until, fetchEvents, npm, verifyEvent, bare,
  nip04, nip44, getPublicKey, Wallet, nwcClient, invoiceChecks
} from './jobslib.mjs'

deadline(120000)
const sha256hex = (h) => createHash('sha256').update(Buffer.from(h, 'hex')).digest('hex')
const secretOf = (uri) => Buffer.from(new URL(uri.replace('nostr+walletconnect:', 'http:')).searchParams.get('secret'), 'hex')
// an sdk call that must fail: its error code, or "resolved"
const failure = (p) => p.then(() => 'resolved', (e) => e.code || e.message)

const dir = tempdir()
const relay = await startRelay(dir, 'w')
const W = await Wallet.start(relay.url)

// 1. the ready line and the info event
const uriRe = new RegExp(`^nostr\\+walletconnect://${W.wallet_pubkey}\\?relay=${encodeURIComponent(relay.url).replace(/[.]/g, '\\.')}&secret=[0-9a-f]{64}$`)
check(/^[0-9a-f]{64}$/.test(W.wallet_pubkey) && uriRe.test(W.provider_uri) && uriRe.test(W.buyer_uri) && W.provider_uri !== W.buyer_uri,
  'the ready line: two connection URIs of one wallet, relay url-encoded, a secret each', JSON.stringify(W))
check(getPublicKey(secretOf(W.provider_uri)) === W.provider_pubkey && getPublicKey(secretOf(W.buyer_uri)) === W.buyer_pubkey, 'the connection pubkeys are those of the URIs\' secrets')
const info = await fetchEvents(relay.url, { kinds: [13194], authors: [W.wallet_pubkey] }, 5000)
const ie = info[0]
check(info.length === 1 && verifyEvent(bare(ie)), 'one signed kind-13194 info event on the relay')
check(ie && ie.tags.some((t) => t[0] === 'encryption' && t[1] === 'nip44_v2 nip04'), 'info: ["encryption", "nip44_v2 nip04"]', JSON.stringify(ie?.tags))
check(ie && ie.tags.some((t) => t[0] === 'notifications' && t[1].split(' ').includes('payment_received')), 'info: notifications include payment_received')
check(ie && ['pay_invoice', 'make_invoice', 'lookup_invoice', 'get_info', 'get_balance', 'list_transactions'].every((m) => ie.content.split(' ').includes(m)), 'info: the methods', ie?.content)

// a live look at every NWC answer and notification on the relay (they are ephemeral)
const { Relay } = await npm('nostr-tools/relay')
const watch = await Relay.connect(relay.url)
const seen = []
watch.subscribe([{ kinds: [23195, 23196, 23197] }], { onevent: (e) => seen.push(e) })

// 2. the sdk's clients
const buyer = await nwcClient(W.buyer_uri)
const prov = await nwcClient(W.provider_uri)
const si = await buyer.getWalletServiceInfo()
check(si.encryptions[0] === 'nip44_v2' && si.capabilities.includes('make_invoice'), 'NWCClient reads the info event: NIP-44 first', JSON.stringify(si))
const gi = await buyer.getInfo()
check(gi.network === 'regtest' && gi.pubkey === W.node_pubkey && gi.methods.includes('pay_invoice') && gi.notifications.includes('payment_received') && gi.alias,
  'get_info: alias, regtest, the node key, methods and notifications', JSON.stringify(gi))
check((await buyer.getBalance()).balance === 100000000 && (await prov.getBalance()).balance === 0, 'get_balance: the buyer has 100000 sats, the provider none')

// 3. an invoice
const MSATS = 3100000
const tx = await prov.makeInvoice({ amount: MSATS, description: 'NIP-90 job selftest', expiry: 600 })
check(tx.state === 'pending' && tx.type === 'incoming' && tx.amount === MSATS && tx.description === 'NIP-90 job selftest' && tx.expires_at - tx.created_at === 600 && !tx.preimage,
  'make_invoice: a pending incoming transaction, no preimage shown', JSON.stringify(tx))
const ic = invoiceChecks(tx.invoice, { msats: MSATS, payee: W.node_pubkey, minExpiry: 600 })
for (const [c, d, x] of ic.checks) check(c, d, x)
check(ic.hash === tx.payment_hash, 'the invoice carries the transaction\'s payment hash')
check((await prov.lookupInvoice({ payment_hash: tx.payment_hash })).state === 'pending', 'lookup_invoice by payment_hash: pending')
check((await prov.lookupInvoice({ invoice: tx.invoice })).payment_hash === tx.payment_hash, 'lookup_invoice by invoice: the same one')
check(await failure(buyer.lookupInvoice({ payment_hash: tx.payment_hash })) === 'NOT_FOUND', 'another connection does not see it: NOT_FOUND')
check((await W.ask(`state ${tx.payment_hash}`))?.state === 'pending', 'state HASH: pending')

// 4. the buyer pays
const paid = await buyer.payInvoice({ invoice: tx.invoice })
check(paid && sha256hex(paid.preimage) === tx.payment_hash, 'pay_invoice: a preimage of the payment hash', JSON.stringify(paid))
const after = await prov.lookupInvoice({ payment_hash: tx.payment_hash })
check(after.state === 'settled' && after.preimage === paid.preimage && after.settled_at > 0, 'lookup_invoice: settled, with the preimage', JSON.stringify(after))
check((await buyer.lookupInvoice({ payment_hash: tx.payment_hash })).type === 'outgoing', 'the buyer sees its outgoing payment')
check((await buyer.getBalance()).balance === 100000000 - MSATS && (await prov.getBalance()).balance === MSATS, 'the money moved')
check(await failure(buyer.payInvoice({ invoice: tx.invoice })) === 'PAYMENT_FAILED', 'paying it again: PAYMENT_FAILED')
const lt = await prov.listTransactions({})
check(lt.transactions.length === 1 && lt.transactions[0].payment_hash === tx.payment_hash, 'list_transactions: the settled invoice', JSON.stringify(lt))
check((await prov.listTransactions({ unpaid: true })).transactions.length === 1, 'list_transactions unpaid: nothing else')
check((await W.ask(`state ${tx.payment_hash}`))?.state === 'settled', 'state HASH: settled')

// 5. a NIP-04 connection, and the notification of both kinds
const prov04 = await nwcClient(W.provider_uri)
await prov04.getWalletServiceInfo()
prov04._encryptionType = 'nip04'	// what a client that knows no NIP-44 would do
check((await prov04.getBalance()).balance === MSATS, 'a NIP-04 request gets a NIP-04 answer')
const got44 = []; const got04 = []
const un44 = await prov.subscribeNotifications((n) => got44.push(n))
const un04 = await prov04.subscribeNotifications((n) => got04.push(n))
await sleep(500)
const nt = await W.ask(`notify ${tx.payment_hash}`)
check(nt?.ok && nt.ids.length === 2, 'notify HASH: two events published', JSON.stringify(nt))
check(await until(() => got44.length > 0 && got04.length > 0, 5000), 'the sdk gets the notification as 23197 (NIP-44) and as 23196 (NIP-04)', `${got44.length} ${got04.length}`)
for (const [n, k] of [[got44[0], 23197], [got04[0], 23196]]) {
  check(n?.notification_type === 'payment_received' && n.notification.payment_hash === tx.payment_hash && n.notification.state === 'settled' && n.notification.preimage === paid.preimage,
    `kind ${k}: payment_received, settled, the preimage`, JSON.stringify(n))
}
const nev = seen.filter((e) => nt?.ids?.includes(e.id))
check(nev.length === 2 && nev.every((e) => e.pubkey === W.wallet_pubkey && verifyEvent(bare(e)) && e.tags.some((t) => t[0] === 'p' && t[1] === W.provider_pubkey)),
  'the notifications are signed by the wallet and name the provider connection')
un44(); un04()
check(!(await W.ask('notify ' + '0'.repeat(64)))?.ok, 'notify of an unknown hash: not ok')

// 6. pay BOLT11 settles directly; an invoice can expire
const tx2 = await prov.makeInvoice({ amount: 5000, description: 'direct' })
const pd = await W.ask(`pay ${tx2.invoice}`)
check(pd?.ok && sha256hex(pd.preimage) === tx2.payment_hash, 'pay BOLT11: settled, with a preimage of the hash', JSON.stringify(pd))
check((await prov.lookupInvoice({ payment_hash: tx2.payment_hash })).state === 'settled', 'lookup_invoice then says settled')
check(!(await W.ask(`pay ${tx2.invoice}`))?.ok, 'pay BOLT11 again: not ok')
const tx3 = await prov.makeInvoice({ amount: 7000, description: 'short', expiry: 1 })
await sleep(2100)
check((await prov.lookupInvoice({ payment_hash: tx3.payment_hash })).state === 'expired', 'an invoice past its expiry: expired')
check(await failure(buyer.payInvoice({ invoice: tx3.invoice })) === 'PAYMENT_FAILED', 'paying an expired invoice: PAYMENT_FAILED')

// 7. offline drops requests; online answers again
check((await W.ask('offline'))?.online === false, 'offline')
const t0 = Date.now()
const lost = failure(buyer.getBalance())
const early = await Promise.race([lost, sleep(3000).then(() => 'none')])
check(early === 'none', 'offline: no answer in 3 s', early)
const dropped = (await W.ask('requests get_balance'))?.requests?.filter((r) => r.from === 'buyer' && r.dropped === 'offline')
check(dropped?.length === 1, 'requests: the request was seen and dropped (offline)', JSON.stringify(dropped))
check((await W.ask('online'))?.online === true, 'online')
check((await buyer.getBalance()).balance === 100000000 - MSATS, 'online: answered again')
// the dropped request's waiter must not take the answer to the next one
check(await lost === 'INTERNAL' && Date.now() - t0 >= 9000, 'the dropped request times out in the sdk (its own 10 s), not answered by another\'s answer')

// 8. forge: a "settled" answer from another key
const tx4 = await prov.makeInvoice({ amount: 9000, description: 'forge me' })
check((await prov.lookupInvoice({ payment_hash: tx4.payment_hash })).state === 'pending', 'a pending invoice to forge for')
const lk = (await W.ask('requests lookup_invoice'))?.requests?.filter((r) => r.from === 'provider' && r.params?.payment_hash === tx4.payment_hash)
const rq = lk?.[lk.length - 1]
check(rq && rq.answer && rq.state === 'pending', 'requests: the lookup, answered pending', JSON.stringify(rq))
const fg = await W.ask(`forge ${rq?.id}`)
check(fg?.ok && fg.pubkey !== W.wallet_pubkey, 'forge REQUEST_ID: published by another key', JSON.stringify(fg))
const fev = await until(() => seen.find((e) => e.id === fg?.id), 5000)
check(fev && verifyEvent(bare(fev)) && fev.pubkey === fg.pubkey && fev.tags.some((t) => t[0] === 'e' && t[1] === rq.id) && fev.tags.some((t) => t[0] === 'p' && t[1] === W.provider_pubkey),
  'the forgery: a valid 23195 of the other key, ["e", request], ["p", provider]', JSON.stringify(fev?.tags))
let claim = null
try { claim = JSON.parse(nip44.decrypt(fev.content, nip44.getConversationKey(secretOf(W.provider_uri), fev.pubkey))) } catch {}
check(claim?.result?.state === 'settled' && claim.result.payment_hash === tx4.payment_hash && claim.result_type === 'lookup_invoice',
  'it decrypts with the forger\'s key and claims settled', JSON.stringify(claim))
let asWallet = 'decrypted'
try { nip44.decrypt(fev.content, nip44.getConversationKey(secretOf(W.provider_uri), W.wallet_pubkey)) } catch { asWallet = 'fails' }
check(asWallet === 'fails', 'it does not decrypt as the wallet\'s')
check((await W.ask(`state ${tx4.payment_hash}`))?.state === 'pending' && (await prov.lookupInvoice({ payment_hash: tx4.payment_hash })).state === 'pending',
  'the invoice is still pending, for the ledger and for the sdk')
check(!(await W.ask('forge ' + 'f'.repeat(64)))?.ok, 'forge of an unknown request: not ok')

// 9. replay: the wallet's own answer once more
const before = seen.length
const rp = await W.ask('replay')
const again = await until(() => seen.slice(before).find((e) => e.id === rp?.id), 5000)
check(rp?.ok && again && again.pubkey === W.wallet_pubkey && verifyEvent(bare(again)), 'replay: the last answer comes again, the same signed event', JSON.stringify(rp))
const rp2 = await W.ask(`replay ${rq?.id}`)
check(rp2?.ok && rp2.id === rq.answer && rp2.request === rq.id, 'replay REQUEST_ID: that request\'s answer', JSON.stringify(rp2))
check((await W.ask(`state ${tx4.payment_hash}`))?.state === 'pending', 'still pending')
const nip04Answer = seen.find((e) => e.kind === 23195 && /\?iv=/.test(e.content) && e.tags.some((t) => t[0] === 'p' && t[1] === W.provider_pubkey))
let plain04 = null
try { plain04 = JSON.parse(nip04.decrypt(secretOf(W.provider_uri), W.wallet_pubkey, nip04Answer.content)) } catch {}
check(plain04?.result_type === 'get_balance', 'the NIP-04 answer seen on the relay decrypts with NIP-04', JSON.stringify(plain04))
check((await W.ask('bogus'))?.ok === false, 'an unknown command: not ok')

// 10. the end
for (const c of [buyer, prov, prov04]) c.close()
watch.close()
await W.stop()
check(W.proc.exitCode === 0, 'the wallet stops cleanly', W.tail())
await stopProc(relay.proc)
finish()
