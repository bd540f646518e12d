// A NIP-90 buyer made of nostr-tools (spec/TESTING.md), as a module and
// as a command.
//
// Module:
//   connect(url, {sk, timeoutMs})          -> nostr-tools Relay; with sk it
//                                             answers a NIP-42 challenge
//   publishWithAuth(relay, event, timeoutMs) -> OK message; on "auth-required:"
//                                             authenticates and retries once
//   signEvent(sk, {kind, tags, content, created_at})
//   postJob(url, sk, {kind, tags, content, created_at}, {timeoutMs})
//                                          -> the signed event, after OK true
//   postJobs(urls, sk, template, {timeoutMs})
//                                          -> {event, results: [{url, ok, message}]}
//                                             (one event, sent to every relay;
//                                             never rejects)
//   publishEvent(url, event, {sk, timeoutMs}) -> the OK message
//   fetchEvents(url, filter, timeoutMs, {sk}) -> events until EOSE (rejects
//                                             on CLOSED or timeout; with sk a
//                                             CLOSED "auth-required:" is
//                                             answered and the REQ re-sent)
//   waitForEvent(url, filter, pred, timeoutMs, {sk})
//                                          -> first event (stored or live)
//                                             matching filter and pred
//
// Command:
//   node buyer.mjs post URL [URL...] --kind 5932 --count N [--p HEXPUBKEY]
//        [--sk HEX] [--content TEXT] [--input TEXT] [--timeout MS]
//     posts N job requests (one event each, to every URL, one connection
//     per URL) and prints one line per event that some relay took: its id.
//     Exit 1 if some relay refused, timed out or could not be reached.
//   node buyer.mjs fetch URL FILTER_JSON [--timeout MS] [--sk HEX]
//     prints the stored events matching the filter, one JSON per line.
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import WebSocket from 'ws'
import { fileURLToPath } from 'node:url'

useWebSocketImplementation(WebSocket)

export { generateSecretKey, getPublicKey, bytesToHex, hexToBytes }

const now = () => Math.floor(Date.now() / 1000)

function withTimeout (p, ms, what) {
  let t
  return Promise.race([
    p,
    new Promise((resolve, reject) => { t = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms) })
  ]).finally(() => clearTimeout(t))
}

const toKey = (sk) => typeof sk === 'string' ? hexToBytes(sk) : sk

// A connected nostr-tools Relay.  With sk it answers a NIP-42 challenge
// (nostr-tools' onauth), and publishWithAuth / the helpers below retry
// once after an "auth-required:" refusal, as NIP-42 recommends.
export async function connect (url, { sk, timeoutMs = 5000 } = {}) {
  let relay
  try {
    relay = await withTimeout(Relay.connect(url), timeoutMs, `connect ${url}`)
  } catch (e) {
    // nostr-tools rejects with a bare event on a refused connection
    throw e instanceof Error ? e : new Error(`connect ${url}: ${e && e.message !== undefined ? e.message : 'failed'}`)
  }
  relay.publishTimeout = timeoutMs
  relay.baseEoseTimeout = timeoutMs
  if (sk) {
    const key = toKey(sk)
    relay.onauth = async (tmpl) => finalizeEvent(tmpl, key)
  }
  return relay
}

// Authenticates on relay (connected with sk), waiting up to timeoutMs for
// the challenge.
async function authenticate (relay, timeoutMs) {
  if (!relay.onauth) return false
  const t0 = Date.now()
  while (!relay.challenge && Date.now() - t0 < timeoutMs) await new Promise((resolve) => setTimeout(resolve, 10))
  if (!relay.challenge) return false
  await withTimeout(relay.auth(relay.onauth), timeoutMs, `auth ${relay.url}`)
  return true
}

// relay.publish, with one retry after authenticating on "auth-required:".
export async function publishWithAuth (relay, event, timeoutMs = 5000) {
  try {
    return await withTimeout(relay.publish(event), timeoutMs, `publish to ${relay.url}`)
  } catch (e) {
    if (!/^auth-required/.test(e.message) || !(await authenticate(relay, timeoutMs))) throw e
    return await withTimeout(relay.publish(event), timeoutMs, `publish to ${relay.url}`)
  }
}

// relay.subscribe, resubscribing once after authenticating when the relay
// CLOSED it with "auth-required:".  params: onevent, oneose, onclose.
function subscribeWithAuth (relay, filter, params, timeoutMs) {
  let retried = false
  let sub
  const go = () => {
    sub = relay.subscribe([filter], {
      onevent: params.onevent,
      oneose: params.oneose,
      eoseTimeout: timeoutMs,
      onclose: (reason) => {
        if (!retried && /^auth-required/.test(reason || '') && relay.onauth) {
          retried = true
          authenticate(relay, timeoutMs).then((done) => done ? go() : params.onclose(reason), () => params.onclose(reason))
        } else params.onclose(reason)
      }
    })
  }
  go()
  return { close: () => sub.close() }
}

export function signEvent (sk, { kind, tags = [], content = '', created_at: createdAt }) {
  return finalizeEvent({ kind, tags, content, created_at: createdAt ?? now() }, toKey(sk))
}

export async function publishEvent (url, event, { sk, timeoutMs = 5000 } = {}) {
  const relay = await connect(url, { sk, timeoutMs })
  try {
    return await publishWithAuth(relay, event, timeoutMs)
  } finally {
    relay.close()
  }
}

// Publishes a job request signed with sk; resolves with the event once the
// relay said OK true (duplicate included), rejects otherwise.
export async function postJob (url, sk, template, { timeoutMs = 5000 } = {}) {
  const event = signEvent(sk, template)
  await publishEvent(url, event, { sk, timeoutMs })
  return event
}

export async function postJobs (urls, sk, template, { timeoutMs = 5000 } = {}) {
  const event = signEvent(sk, template)
  const results = await Promise.all(urls.map((url) =>
    publishEvent(url, event, { sk, timeoutMs })
      .then((message) => ({ url, ok: true, message }))
      .catch((e) => ({ url, ok: false, message: e.message }))))
  return { event, results }
}

// Stored events matching filter, up to EOSE.
export async function fetchEvents (url, filter, timeoutMs = 5000, { sk } = {}) {
  const relay = await connect(url, { sk, timeoutMs })
  try {
    return await withTimeout(new Promise((resolve, reject) => {
      const events = []
      let done = false
      const sub = subscribeWithAuth(relay, filter, {
        onevent: (e) => events.push(e),
        oneose: () => { done = true; sub.close(); resolve(events) },
        onclose: (reason) => { if (!done) reject(new Error(`CLOSED by ${url}: ${reason}`)) }
      }, timeoutMs)
    }), timeoutMs, `fetch from ${url}`)
  } finally {
    relay.close()
  }
}

// The first event, stored or live, that matches filter and pred(event).
export async function waitForEvent (url, filter, pred = () => true, timeoutMs = 10000, { sk } = {}) {
  const relay = await connect(url, { sk, timeoutMs })
  try {
    return await withTimeout(new Promise((resolve, reject) => {
      let done = false
      const sub = subscribeWithAuth(relay, filter, {
        onevent: (e) => { if (!done && pred(e)) { done = true; sub.close(); resolve(e) } },
        onclose: (reason) => { if (!done) reject(new Error(`CLOSED by ${url}: ${reason}`)) }
      }, timeoutMs)
    }), timeoutMs, `wait for event on ${url}`)
  } finally {
    relay.close()
  }
}

async function main (argv) {
  const usage = () => {
    process.stderr.write('usage: node buyer.mjs post URL [URL...] --kind K --count N [--p HEX] [--sk HEX] [--content TEXT] [--input TEXT] [--timeout MS]\n' +
      '       node buyer.mjs fetch URL FILTER_JSON [--timeout MS] [--sk HEX]\n')
    process.exit(2)
  }
  const [cmd, ...rest] = argv
  const pos = []
  const o = { kind: 5932, count: 1, p: null, sk: null, content: '', input: null, timeout: 5000 }
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]
    if (!a.startsWith('--')) { pos.push(a); continue }
    if (i + 1 >= rest.length) usage()
    const v = rest[++i]
    switch (a) {
      case '--kind': o.kind = Number(v); break
      case '--count': o.count = Number(v); break
      case '--p': o.p = v; break
      case '--sk': o.sk = v; break
      case '--content': o.content = v; break
      case '--input': o.input = v; break
      case '--timeout': o.timeout = Number(v); break
      default: usage()
    }
  }
  if (cmd === 'post') {
    if (pos.length < 1 || !Number.isInteger(o.kind) || !Number.isInteger(o.count) || o.count < 0) usage()
    if (o.p !== null && !/^[0-9a-f]{64}$/.test(o.p)) usage()
    const sk = o.sk ? hexToBytes(o.sk) : generateSecretKey()
    let failed = 0
    // one connection per relay for all N events
    const errText = (e) => String(e && e.message !== undefined ? e.message : e)
    const relays = await Promise.all(pos.map((url) => connect(url, { sk, timeoutMs: o.timeout })
      .then((relay) => ({ relay }), (e) => ({ err: errText(e) }))))
    for (let n = 0; n < o.count; n++) {
      const tags = [['i', o.input ?? `buyer.mjs job ${n}`, 'text']]
      if (o.p) tags.push(['p', o.p])
      const event = signEvent(sk, { kind: o.kind, tags, content: o.content })
      const results = await Promise.all(relays.map((r) => r.err
        ? Promise.resolve(r.err)
        : publishWithAuth(r.relay, event, o.timeout).then(() => null, errText)))
      results.forEach((m, i) => { if (m !== null) { failed++; process.stderr.write(`buyer.mjs: ${pos[i]}: ${m}\n`) } })
      if (results.some((m) => m === null)) process.stdout.write(event.id + '\n')
    }
    for (const r of relays) if (r.relay) r.relay.close()
    process.exit(failed === 0 ? 0 : 1)
  } else if (cmd === 'fetch') {
    if (pos.length !== 2) usage()
    const events = await fetchEvents(pos[0], JSON.parse(pos[1]), o.timeout, { sk: o.sk || undefined })
    for (const e of events) process.stdout.write(JSON.stringify(e) + '\n')
    process.exit(0)
  } else usage()
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e) => { process.stderr.write(`buyer.mjs: ${e && e.message !== undefined ? e.message : e}\n`); process.exit(1) })
}
