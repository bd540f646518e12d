// Interop with nostr-tools (spec/TESTING.md): keys, event ids and
// signatures, NIP-44 and NIP-04, in both directions.  Signing and the
// ciphers on the provider side go through a real walletd.
import { finalizeEvent, verifyEvent, getPublicKey, generateSecretKey } from 'nostr-tools/pure'
import { privateKeyFromSeedWords, generateSeedWords } from 'nostr-tools/nip06'
import * as nip19 from 'nostr-tools/nip19'
import * as nip04 from 'nostr-tools/nip04'
import * as nip44 from 'nostr-tools/nip44'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { ok, finish, tempdir, oatool, initProvider, Walletd } from './lib.mjs'

const dir = tempdir()
const hexOf = (s) => Buffer.from(s, 'utf8').toString('hex')
const textOf = (h) => Buffer.from(h, 'hex').toString('utf8')

// Strings that stress the canonical serialization of NIP-01.
const tricky = [
  '',
  'plain',
  'line1\n"quoted"\t\\ end',
  'controls \u0001\u0002\u001f\b\f\r and DEL \u007f',
  'slash / and unicode: ünïcödé 🍕🫃 中文',
  '\u2028\u2029 separators'
]

// 1. keys: the same mnemonic gives the same keys
{
  const p = initProvider(dir)
  const sk = privateKeyFromSeedWords(p.mnemonic)
  ok(getPublicKey(sk) === p.pubkey, 'provider init: pubkey matches nostr-tools nip06')
  ok(nip19.npubEncode(p.pubkey) === p.npub, 'provider init: npub matches nostr-tools nip19')
  let same = 0
  const n = 25
  for (let i = 0; i < n; i++) {
    const words = generateSeedWords()
    const ours = JSON.parse(oatool(['derive', words]))
    const theirs = privateKeyFromSeedWords(words)
    if (ours.sk === bytesToHex(theirs) && ours.pk === getPublicKey(theirs) &&
        ours.npub === nip19.npubEncode(ours.pk) && ours.nsec === nip19.nsecEncode(theirs)) same++
  }
  ok(same === n, `${n} random mnemonics: sk, pk, npub and nsec match`, `${same}/${n}`)
}

// 2. events: ours verify there, theirs verify here
const p = initProvider(join(dir, 'b'))
const w = new Walletd(join(dir, 'b', 'home', 'provider', 'identity.enc'), p.passfile)
const unlocked = await w.next()
ok(unlocked === `unlocked ${p.pubkey}`, 'walletd unlocks identity.enc made by provider init', unlocked)

{
  let good = 0
  for (const [i, content] of tricky.entries()) {
    const tmpl = {
      kind: [7000, 6932, 6933, 31990, 5][i % 5],
      created_at: 1735600000 + i,
      tags: [['e', bytesToHex(randomBytes(32))], ['p', bytesToHex(randomBytes(32))], ['status', 'processing', content], ['d', 'x']],
      content
    }
    const line = await w.ask('sign ' + JSON.stringify(tmpl))
    if (!line.startsWith('ok ')) { ok(false, `walletd signs kind ${tmpl.kind}`, line); continue }
    const ev = JSON.parse(line.slice(3))
    if (verifyEvent(ev) && ev.pubkey === p.pubkey && ev.content === content) good++
    else ok(false, `nostr-tools verifies our event with content ${JSON.stringify(content)}`, line)
  }
  ok(good === tricky.length, `nostr-tools verifyEvent accepts ${tricky.length} events signed by walletd`)
}

{
  const sk = generateSecretKey()
  const events = tricky.map((content, i) => finalizeEvent({
    kind: 5932, created_at: 1735600000 + i, tags: [['i', content, 'text'], ['param', 'k', 'v']], content
  }, sk))
  const lines = events.map((e) => JSON.stringify(e)).join('\n') + '\n'
  const res = oatool(['verify'], lines).split('\n')
  ok(res.every((r) => r === 'valid') && res.length === events.length,
    `our event_verify accepts ${events.length} events signed by nostr-tools`, res.join('\n'))
  const bad = events.map((e) => ({ ...e, content: e.content + 'x' }))
  const badres = oatool(['verify'], bad.map((e) => JSON.stringify(e)).join('\n') + '\n').split('\n')
  ok(badres.every((r) => r.startsWith('invalid')), 'and rejects them with the content changed', badres.join('\n'))
}

// 3. NIP-44: byte-exact with a fixed nonce; both ways through walletd
{
  let same = 0
  const n = 20
  for (let i = 0; i < n; i++) {
    const a = generateSecretKey(); const b = generateSecretKey()
    const nonce = randomBytes(32)
    const text = tricky[i % tricky.length] + ' ' + 'x'.repeat(i * 37) || 'x'
    const theirs = nip44.v2.encrypt(text, nip44.v2.utils.getConversationKey(a, getPublicKey(b)), nonce)
    const ours = oatool(['nip44-encrypt', bytesToHex(a), getPublicKey(b), bytesToHex(nonce), hexOf(text)])
    if (ours === theirs) same++
    else ok(false, 'nip44 payloads equal', `${ours}\n${theirs}`)
  }
  ok(same === n, `NIP-44: ${n} payloads byte-identical to nostr-tools with the same nonce`)

  const buyer = generateSecretKey()
  const buyerPk = getPublicKey(buyer)
  const ck = nip44.v2.utils.getConversationKey(buyer, p.pubkey)
  const msg = 'job request: fix the failing test ✓'
  const enc = nip44.v2.encrypt(msg, ck)
  const dec = await w.ask(`nip44-decrypt ${buyerPk} ${enc}`)
  ok(dec === 'ok ' + hexOf(msg), 'NIP-44: walletd decrypts what nostr-tools encrypted', dec)
  const back = await w.ask(`nip44-encrypt ${buyerPk} ${hexOf(msg)}`)
  ok(back.startsWith('ok ') && nip44.v2.decrypt(back.slice(3), ck) === msg,
    'NIP-44: nostr-tools decrypts what walletd encrypted', back)
}

// 4. NIP-04 both ways
{
  const buyer = generateSecretKey()
  const buyerPk = getPublicKey(buyer)
  const msg = '[["i","https://github.com/x/y","url"],["param","ref","main"]]'
  const enc = nip04.encrypt(buyer, p.pubkey, msg)
  const dec = await w.ask(`nip04-decrypt ${buyerPk} ${enc}`)
  ok(dec === 'ok ' + hexOf(msg), 'NIP-04: walletd decrypts what nostr-tools encrypted', dec)
  const back = await w.ask(`nip04-encrypt ${buyerPk} ${hexOf(msg)}`)
  ok(back.startsWith('ok ') && nip04.decrypt(buyer, p.pubkey, back.slice(3)) === msg,
    'NIP-04: nostr-tools decrypts what walletd encrypted', back)
  const a = generateSecretKey(); const b = generateSecretKey()
  const enc2 = nip04.encrypt(a, getPublicKey(b), msg)
  ok(textOf(oatool(['nip04-decrypt', bytesToHex(b), getPublicKey(a), enc2])) === msg,
    'NIP-04: our library decrypts a nostr-tools payload')
}

// 5. the policy: a kind-1 note is refused, and logged
{
  const line = await w.ask('sign ' + JSON.stringify({ kind: 1, created_at: 1735600000, tags: [], content: 'gm' }))
  ok(line.startsWith('err 1 '), 'walletd refuses to sign a kind-1 note', line)
  await new Promise((resolve) => setTimeout(resolve, 100))
  ok(/refusing to sign an event of kind 1/.test(w.stderr), 'and logs the refusal', w.stderr)
}

w.close()
finish()
