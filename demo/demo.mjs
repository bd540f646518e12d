// The local demo (README "Quick start"): a whole paid PatchGen job on
// 127.0.0.1, told step by step.  It starts the npm relay and the NIP-47
// wallet service of the tests, makes a provider in a temporary
// OPENAGENTS_HOME, serves with the bundled agent (demo/agent.sh; the
// codex backend when OPENAI_API_KEY is set and codex is on PATH), posts
// a PatchGen for a fresh copy of demo/sample/ as a nostr-tools buyer,
// checks the patch as a buyer must, pays the invoice and shows what the
// provider's own commands say.  Every process it starts is ended by its
// pid, also on SIGINT, SIGTERM or a failure; DEMO_KEEP=1 keeps the
// temporary folder.
//
//   OA_BUILD_ROOT=build node demo/demo.mjs      (scripts/demo.sh does this)
//
// DEMO_BACKEND=command keeps the bundled agent even where codex could
// run (the meson test does); DEMO_ISOLATION=local|container overrides
// the choice made by trying a user namespace; DEMO_TIMEOUT_SECS bounds
// the whole run (default 900).
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, cpSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))
const SRC = resolve(HERE, '..')
process.env.OA_BUILD_ROOT = resolve(process.env.OA_BUILD_ROOT || join(SRC, 'build'))
const BUILD = process.env.OA_BUILD_ROOT
const OA = join(BUILD, 'openagents')

// --- telling what happens ---------------------------------------------------

let stepNo = 0
let stepName = 'start'
const STEPS = 11
function step (text) {
  stepNo++
  stepName = text
  console.log(`\n== ${stepNo}/${STEPS} ${text}`)
}
const say = (text) => console.log(`   ${text}`)
const indent = (text, by = '     ') => String(text).replace(/\n$/, '').split('\n').map((l) => by + l).join('\n')

class StepError extends Error {}
const fail = (why) => { throw new StepError(why) }

// --- what it started, to end by pid -----------------------------------------

const procs = []		// { name, proc, stop: async () => {} }
let home = null
let work = null
let provider = null
let collector = null
let nwc = null
let ending = false

const gone = (p) => p.exitCode !== null || p.signalCode !== null
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitExit (p, ms) {
  if (gone(p)) return true
  await Promise.race([new Promise((resolve) => p.once('exit', resolve)), sleep(ms)])
  return gone(p)
}

// SIGTERM, then SIGKILL: by the child's own pid
async function endProc (p, ms = 5000) {
  if (gone(p)) return
  try { process.kill(p.pid, 'SIGTERM') } catch {}
  if (await waitExit(p, ms)) return
  try { process.kill(p.pid, 'SIGKILL') } catch {}
  await waitExit(p, 2000)
}

// in the reverse order of their start: the daemon before the wallet and
// the relay it talks to
async function cleanup () {
  if (ending) return
  ending = true
  try { collector?.close() } catch {}
  try { nwc?.close() } catch {}
  for (const x of procs.reverse()) {
    if (gone(x.proc)) continue
    try { await x.stop() } catch {}
    if (!gone(x.proc)) await endProc(x.proc)
    console.log(`   stopped ${x.name} (pid ${x.proc.pid})`)
  }
  if (work) {
    if (process.env.DEMO_KEEP === '1') console.log(`   kept ${work} (DEMO_KEEP=1)`)
    else rmSync(work, { recursive: true, force: true })
  }
}

// a last resort if the script dies some other way
process.on('exit', () => {
  for (const x of procs) if (!gone(x.proc)) { try { process.kill(x.proc.pid, 'SIGKILL') } catch {} }
})

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, async () => {
    if (ending) return
    console.log(`\n== interrupted (${sig}) during step ${stepNo} (${stepName}): stopping everything`)
    await cleanup()
    process.exit(sig === 'SIGINT' ? 130 : 143)
  })
}

async function failed (e) {
  const why = e instanceof StepError ? e.message : (e && e.stack) || String(e)
  console.log(`\n== demo failed at step ${stepNo} (${stepName}):\n${indent(why)}`)
  if (provider) {
    console.log('   the last lines of the provider\'s log:')
    console.log(indent(provider.log.split('\n').slice(-40).join('\n')))
  }
  await cleanup()
  process.exit(1)
}

// the whole run is bounded as well as each wait in it
const LIMIT_MS = Number(process.env.DEMO_TIMEOUT_SECS || 0) * 1000 || 900000
setTimeout(() => failed(new StepError(`the demo took longer than ${LIMIT_MS / 1000} s`)), LIMIT_MS).unref()

// --- the run ----------------------------------------------------------------

try {
  await main()
} catch (e) {
  await failed(e)
}

async function main () {
  step('checking what the demo needs')
  if (spawnSync('test', ['-x', OA]).status !== 0) fail(`no ${OA}: build first (meson setup build && ninja -C build)`)
  say(`the build: ${BUILD}`)
  // jobslib.mjs and wallet.mjs load the npm peers from tests/interop
  const lib = await import('../tests/jobs/jobslib.mjs').catch((e) => fail(`the npm test peers do not load (npm ci --prefix tests/interop): ${e.message}`))
  const { cjs } = await import('../tests/jobs/npm.mjs')
  const bolt11 = cjs('bolt11')

  const codex = process.env.DEMO_BACKEND !== 'command' && !!process.env.OPENAI_API_KEY &&
    spawnSync('sh', ['-c', 'command -v codex'], { stdio: 'ignore' }).status === 0
  // container isolation needs user namespaces: try one, as the tests' sandbox would make
  const userns = spawnSync('unshare', ['--user', '--map-root-user', '--mount', '--pid', '--net', '--ipc', '--uts', '--fork', 'true'], { stdio: 'ignore', timeout: 10000 }).status === 0
  const isolation = process.env.DEMO_ISOLATION || (userns ? 'container' : 'local')
  say(`the agent: ${codex ? 'the codex backend (OPENAI_API_KEY is set and codex is on PATH)' : 'the bundled example agent, demo/agent.sh (a `command` agent, no model)'}`)
  if (isolation === 'container') {
    say('isolation "container": each job in new user, mount, pid and network namespaces')
  } else {
    const why = userns ? 'DEMO_ISOLATION=local asks for it' : 'user namespaces do not work here'
    console.log('\n   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!')
    console.log(`   !! WARNING: isolation "local", because ${why}:`)
    console.log('   !! the agent runs as a plain process ON THIS HOST, seeing its files')
    console.log('   !! and its network.  Fine for the bundled agent and sample repo;')
    console.log('   !! never serve other people\'s jobs like this.')
    console.log('   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n')
  }

  work = mkdtempSync(join(tmpdir(), 'openagents-demo-'))
  home = join(work, 'home')
  say(`a temporary folder: ${work} (OPENAGENTS_HOME=${home})`)

  step('making the sample repository the buyer wants fixed')
  const repos = join(work, 'repos')
  const repo = join(repos, 'leap')
  mkdirSync(repos)
  cpSync(join(HERE, 'sample'), repo, { recursive: true })
  const genv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Demo Buyer', GIT_AUTHOR_EMAIL: 'buyer@demo.invalid', GIT_COMMITTER_NAME: 'Demo Buyer', GIT_COMMITTER_EMAIL: 'buyer@demo.invalid' }
  const git = (args, cwd = repo, input) => {
    const r = spawnSync('git', args, { cwd, env: genv, input, encoding: 'utf8', timeout: 30000 })
    if (r.status !== 0) fail(`git ${args.join(' ')}: ${r.stderr || r.error}`)
    return r.stdout
  }
  git(['-c', 'init.defaultBranch=main', 'init', '-q', '.'])
  git(['add', '-A'])
  git(['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'leap: a leap-year checker and its tests'])
  const sha = git(['rev-parse', 'HEAD']).trim()
  const before = spawnSync('sh', ['test.sh'], { cwd: repo, encoding: 'utf8', timeout: 30000 })
  say(`file://${repo} at ${sha.slice(0, 12)} (git init + commit of demo/sample/)`)
  say(`its test, sh test.sh, fails today (exit ${before.status}):`)
  console.log(indent(before.stdout.split('\n').filter((l) => /FAIL/.test(l)).join('\n'), '       '))

  step('starting the npm relay (tests/interop/relay.mjs)')
  const relay = await lib.startRelay(work, 'relay').catch((e) => fail(e.message))
  procs.push({ name: 'the npm relay', proc: relay.proc, stop: () => endProc(relay.proc) })
  say(`a NIP-01 relay (@nostr-relay/core) on ${relay.url}, pid ${relay.proc.pid}`)

  step('starting the Lightning wallet service (tests/jobs/wallet.mjs)')
  // registered before it is ready, so that an interruption ends it too
  // (a relay not ready yet is ended by lib.mjs's exit hook, by its pid)
  const W = new lib.Wallet(relay.url, 'the wallet')
  procs.push({ name: 'the NWC wallet service', proc: W.proc, stop: () => W.stop() })
  await W.ready.catch((e) => fail(e.message))
  say(`@getalby/sdk's NWCWalletService (NIP-47) on the same relay, pid ${W.proc.pid}`)
  say('regtest invoices, pretend money: the buyer\'s connection holds 100000 sats')

  step('initialising the provider (openagents provider init)')
  const passfile = join(work, 'passphrase')
  writeFileSync(passfile, 'demo passphrase, not a secret\n', { mode: 0o600 })
  const env = { ...process.env, OPENAGENTS_HOME: home, OPENAGENTS_PASSPHRASE_FILE: passfile }
  let id
  try {
    id = JSON.parse(execFileSync(OA, ['provider', 'init', '--json', '--passphrase-file', passfile], { env, encoding: 'utf8', timeout: 60000 }))
  } catch (e) { fail(`openagents provider init: ${e.stderr || e.message}`) }
  say(`a new identity ${id.npub}, encrypted under a passphrase file`)
  const bin = join(work, 'bin')
  mkdirSync(bin)
  const agent = join(bin, 'agent.sh')
  copyFileSync(join(HERE, 'agent.sh'), agent)
  chmodSync(agent, 0o755)
  const list = (a) => `[${a.map((s) => JSON.stringify(s)).join(', ')}]`
  const config = [
    '# written by demo/demo.mjs',
    '[identity]', `pubkey = ${JSON.stringify(id.npub)}`, '',
    '[worker]', 'capacity = 1', 'job_types = ["PatchGen"]',
    `isolation = ${JSON.stringify(isolation)}`,
    `allow_local_repos = ${list([repos])}`, '',
    '[pricing.PatchGen]', 'base = 3000', 'per_file = 100', 'max = 20000', '',
    '[relays]', `urls = ${list([relay.url])}`, '',
    '[agent]', ...(codex ? ['backend = "codex"'] : ['backend = "command"', `command = ${JSON.stringify(agent)}`]), '',
    '[payments]', 'mode = "pay_after_verify"', '',
    '[wallet]', 'poll_secs = 1', '',
    '[limits]', `time_secs = ${codex ? 600 : 120}`, 'memory_mb = 1024', 'pids = 256', ''
  ].join('\n')
  writeFileSync(join(home, 'provider', 'config.toml'), config)
  say(`config.toml: relay ${relay.url}, PatchGen at 3000 sats + 100 a file, pay after verify,`)
  say(`agent ${codex ? 'codex' : agent}, file:// repositories from ${repos}`)
  const c = spawnSync(OA, ['provider', 'wallet', 'connect', '-'], { env, input: W.provider_uri + '\n', encoding: 'utf8', timeout: 30000 })
  if (c.status !== 0) fail(`openagents provider wallet connect -: exit ${c.status}\n${c.stdout}${c.stderr}`)
  say('openagents provider wallet connect -: the provider\'s NWC connection, stored encrypted in wallet.enc')

  step('starting the provider (openagents provider serve --foreground)')
  const logPath = join(work, 'serve.log')
  const logFile = createWriteStream(logPath)
  const p = spawn(OA, ['provider', 'serve', '--foreground'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  provider = { proc: p, log: '' }
  const keep = (d) => { provider.log += d; logFile.write(d) }
  p.stdout.on('data', keep)
  p.stderr.on('data', keep)
  procs.push({
    name: 'the provider (openagentsd)',
    proc: p,
    stop: async () => {
      spawnSync(OA, ['provider', 'stop'], { env, stdio: 'ignore', timeout: 15000 })
      if (!await waitExit(p, 15000)) await endProc(p)
    }
  })
  const ctl = (args) => spawnSync(OA, ['provider', ...args], { env, encoding: 'utf8', timeout: 15000 })
  const ctlJson = (args) => { try { return JSON.parse(ctl(args).stdout) } catch { return null } }
  const st = await lib.until(() => {
    if (gone(p)) fail(`the provider exited (${p.exitCode ?? p.signalCode})`)
    const s = ctlJson(['status', '--json', '--relays'])
    return s && s.status === 'online' && (s.relays || []).some((r) => r.state === 'open') ? s : null
  }, 30000, 250)
  if (!st) fail('the provider was not online with its relay open within 30 s')
  say(`openagentsd pid ${p.pid} is online, isolation ${st.isolation}; its helpers:`)
  for (const h of st.helpers || []) say(`  ${String(h.name).padEnd(8)} pid ${h.pid}`)
  say(`relayd holds the only network connection, to ${relay.url}; the daemon listens on no port,`)
  say(`   the commands reach it through ${join(home, 'provider', 'control.sock')}; its log: ${logPath}`)
  if (st.isolation === 'container') say('   a job\'s agent reaches only the model API proxy, 127.0.0.1:3128 inside its sandbox')

  step('the buyer posts a PatchGen request (kind 5932, nostr-tools)')
  const buyerSk = lib.generateSecretKey()
  const buyerPk = lib.getPublicKey(buyerSk)
  collector = new lib.Collector()
  await collector.connect([relay.url])
  let shown = 0
  const show = () => {
    for (; shown < collector.order.length; shown++) {
      const e = collector.order[shown]
      if (e.kind === lib.FEEDBACK) {
        const s = lib.tagOf(e, 'status')
        say(`<- feedback (7000): ${s?.[1] || '?'}${s?.[2] ? ': ' + s[2] : ''}`)
      } else if (lib.RESULT_KINDS.includes(e.kind)) {
        say(`<- result (${e.kind}): status ${lib.statusOf(e)}, ${e.content.length} bytes`)
      }
    }
  }
  collector.waiters.add(show)
  const tags = [
    ['i', 'leap.sh says 2000 is not a leap year', 'text'],
    ['i', 'sh src/leap.sh 2000 prints "2000 is not a leap year", but 2000 and 2400 are leap years: a year divisible by 400 is one even though it is a century. sh test.sh shows the failing cases.', 'text'],
    ['i', `file://${repo}`, 'url'],
    ['param', 'repo_ref', sha],
    ['param', 'target_branch', 'main'],
    ['param', 'allowed_paths', 'src/**'],
    ['param', 'disallowed_paths', '.env,.env.*,**/*.pem'],
    ['param', 'test_command', 'sh test.sh'],
    ['param', 'verification_commands', 'sh -n src/leap.sh'],
    ['param', 'time_limit_secs', codex ? '600' : '120'],
    ['param', 'max_cost_sats', '10000'],
    ['output', 'patch'],
    ['p', id.pubkey]
  ]
  const req = await lib.post([relay.url], buyerSk, { kind: 5932, tags, content: '' }).catch((e) => fail(`posting the request: ${e.message}`))
  say(`-> request ${req.id.slice(0, 16)}… by buyer ${buyerPk.slice(0, 16)}…: fix leap.sh, change only src/**,`)
  say('   test with sh test.sh, pay at most 10000 sats')

  step(`the provider works: ${codex ? 'codex' : 'the agent'} in the sandbox, then verifyd checks the patch`)
  const resultMs = codex ? 660000 : 90000
  const res = await collector.waitFor(req.id, (e) => e.kind === 6932 || (e.kind === lib.FEEDBACK && lib.statusOf(e) === 'error'), resultMs)
  show()
  if (!res) fail(`no result within ${resultMs / 1000} s`)
  if (res.kind !== 6932 || lib.statusOf(res) !== 'success') fail(`the job failed: ${JSON.stringify(res.tags)}`)
  say('the patch:')
  console.log(indent(res.content, '       '))

  step('the buyer checks the result before paying')
  const checks = []
  const chk = (cond, what, extra) => {
    checks.push(cond)
    say(`${cond ? 'ok ' : 'BAD'} ${what}${!cond && extra ? ` (${extra})` : ''}`)
  }
  chk(lib.verifyEvent(lib.bare(res)), 'the event id and signature verify (nostr-tools verifyEvent)')
  chk(res.pubkey === id.pubkey, 'signed by the provider the buyer asked')
  chk(lib.tagOf(res, 'e')?.[1] === req.id, 'it answers this request (["e", request id])')
  const hash = lib.resultOf(res, 'patch_sha256')
  chk(hash === lib.sha256(res.content), `patch_sha256 ${String(hash).slice(0, 16)}… = sha256(content)`, `${hash} vs ${lib.sha256(res.content)}`)
  const files = lib.diffStats(res.content).files
  chk(files.length > 0 && files.every((f) => f.startsWith('src/')), `it changes only src/** (${files.join(', ')})`)
  const fx = { path: repo, sha }
  const b = lib.buyerVerify(fx, work, res.content, { ref: sha, test: 'sh test.sh', verify: [] })
  chk(b.before !== 0, 'a fresh checkout fails sh test.sh without the patch')
  chk(b.applies, 'git apply --check passes on a fresh checkout')
  chk(b.applied && b.test === 0, 'with the patch applied, sh test.sh exits 0', b.testOutput)
  const amount = lib.tagOf(res, 'amount')
  if (!amount || !/^\d+$/.test(amount[1] || '') || !amount[2]) fail(`no ["amount", msats, bolt11] on the result: ${JSON.stringify(res.tags)}`)
  const msats = Number(amount[1])
  let dec = null
  try { dec = bolt11.decode(amount[2]) } catch (e) { chk(false, 'the invoice decodes (npm bolt11)', e.message) }
  if (dec) {
    const tag = (n) => dec.tags.find((t) => t.tagName === n)?.data
    say(`the invoice (npm bolt11): ${amount[2].slice(0, 24)}…, ${Number(dec.millisatoshis) / 1000} sats on ${dec.network?.bech32 === 'bcrt' ? 'regtest' : dec.network?.bech32},`)
    say(`   payment hash ${String(tag('payment_hash')).slice(0, 16)}…, expires in ${tag('expire_time') ?? 3600} s, "${tag('description') ?? ''}"`)
  }
  const ic = lib.invoiceChecks(amount[2], { msats, payee: W.node_pubkey, minExpiry: 60 })
  for (const [cond, what, extra] of ic.checks) chk(cond, what, extra)
  chk(msats <= 10000 * 1000, `${msats / 1000} sats is within max_cost_sats 10000`)
  if (!checks.every(Boolean)) fail('the result did not pass the buyer\'s checks: not paying')

  step('the buyer pays the invoice (NWCClient.payInvoice)')
  nwc = await lib.nwcClient(W.buyer_uri)
  let paid
  try {
    paid = await Promise.race([nwc.payInvoice({ invoice: amount[2] }), sleep(30000).then(() => null)])
  } catch (e) { fail(`payInvoice: ${e.message}`) }
  if (!paid) fail('the wallet did not answer payInvoice within 30 s')
  const { createHash } = await import('node:crypto')
  const pre = createHash('sha256').update(Buffer.from(paid.preimage, 'hex')).digest('hex')
  if (pre !== ic.hash) fail(`the preimage does not hash to the payment hash (${pre} vs ${ic.hash})`)
  say(`paid ${msats / 1000} sats; the preimage ${paid.preimage.slice(0, 16)}… hashes to the payment hash`)
  const row = await lib.until(() => {
    const j = ctlJson(['jobs', '--json'])
    const rows = Array.isArray(j) ? j : (j?.jobs || [])
    const r = rows.find((x) => x.request_id === req.id)
    return r?.status === 'paid' ? r : null
  }, 20000, 500)
  if (!row) fail('provider jobs --json did not show the job paid within 20 s')
  say(`the provider saw it (lookup_invoice): job ${row.id} is paid, ${row.earned_sats} sats earned`)

  step('what the provider\'s own commands say')
  for (const args of [['status'], ['jobs'], ['earnings', '--period', 'day']]) {
    console.log(`\n   $ openagents provider ${args.join(' ')}`)
    const r = ctl(args)
    console.log(indent(r.stdout + r.stderr, '     '))
    if (r.status !== 0) fail(`openagents provider ${args.join(' ')} exited ${r.status}`)
  }

  console.log('\n== stopping what the demo started')
  await cleanup()
  console.log('\n== done: one PatchGen job posted, fixed, verified by the buyer and paid')
  process.exit(0)
}
