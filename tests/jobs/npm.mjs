// The test peers' npm packages, installed under tests/interop
// (scripts/test.sh): shared by jobslib.mjs and by the standalone peers
// here (wallet.mjs), which do not load the harness.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const INTEROP = join(dirname(fileURLToPath(import.meta.url)), '..', 'interop')

// Bare npm names resolve from the importing file's folder: find the ESM
// entry point of PKG[/SUB] under tests/interop through the package's
// "exports".
export async function npm (spec) {
  const parts = spec.split('/')
  const n = spec.startsWith('@') ? 2 : 1
  const pkg = parts.slice(0, n).join('/')
  const sub = parts.length > n ? './' + parts.slice(n).join('/') : '.'
  const root = join(INTEROP, 'node_modules', pkg)
  const meta = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  let entry = meta.exports ? meta.exports[sub] : (sub === '.' ? meta.main || 'index.js' : sub)
  if (entry && typeof entry === 'object') entry = entry.import || entry.default
  if (typeof entry !== 'string') throw new Error(`${spec}: no ESM entry in ${root}/package.json`)
  return import(pathToFileURL(join(root, entry)).href)
}

// CommonJS packages (bolt11, light-bolt11-decoder, and secp256k1 under
// bolt11) as they resolve from tests/interop.
export const cjs = createRequire(join(INTEROP, 'package.json'))

// @getalby/sdk/nwc bundles its own nostr-tools, which takes the global
// WebSocket when the module loads; Node 20 has none, so give it ws first.
export async function nwcSdk () {
  if (typeof globalThis.WebSocket === 'undefined') globalThis.WebSocket = (await npm('ws')).default
  return npm('@getalby/sdk/nwc')
}

// The npm relay matches live subscriptions on ids, authors, kinds and
// times only (tests/interop/relay.mjs), and the sdk's pool trusts it:
// an NWCClient waiting for the answer to its request (#e) takes the
// first 23195 of the wallet, whoever it answers, and then hangs on a
// payload it cannot decrypt.  Make POOL (an sdk ReconnectingPool) apply
// each subscription's whole filter itself, as any client should.
export async function refilter (pool) {
  const { matchFilter } = await npm('nostr-tools/filter')
  const subscribe = pool.subscribe.bind(pool)
  pool.subscribe = (relays, filter, params) => subscribe(relays, filter, {
    ...params,
    onevent: (ev) => { if (matchFilter(filter, ev)) return params.onevent?.(ev) }
  })
  return pool
}
