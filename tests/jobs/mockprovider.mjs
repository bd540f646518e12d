// A stand-in provider for checking the job tests themselves while the
// real job pipeline is not there: OA_JOBS_MOCK=1 makes jobslib's Daemon
// start this instead of `openagents provider serve`.  It is not part of
// any test run and proves nothing about the daemon; it only answers the
// way PROTOCOL.md says the daemon should, so that a test that fails
// against it has a bug of its own.  With isolation "container" it runs
// agents under bubblewrap (no network, read-only root, own pids).
//
//   node mockprovider.mjs    (env: OPENAGENTS_HOME, OA_MOCK_MNEMONIC)
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  npm, nip04, nip44, finalizeEvent, getPublicKey, sha256, diffStats, publishEvent, schemeOf, RESULT_KINDS
} from './jobslib.mjs'
import { mockPayments } from './mockpay.mjs'

const { privateKeyFromSeedWords } = await npm('nostr-tools/nip06')
const { Relay } = await npm('nostr-tools/relay')
const home = process.env.OPENAGENTS_HOME
const sk = privateKeyFromSeedWords(process.env.OA_MOCK_MNEMONIC)
const pk = getPublicKey(sk)
const cfgText = readFileSync(join(home, 'provider', 'config.toml'), 'utf8')
const cfg = (key) => {
  const m = new RegExp(`^${key} = (.*)$`, 'm').exec(cfgText)
  return m ? JSON.parse(m[1]) : undefined
}
const urls = cfg('urls'); const agent = cfg('command'); const roots = cfg('allow_local_repos')
const isolation = cfg('isolation'); const timeCap = cfg('time_secs'); const types = cfg('job_types')
const jobsDir = join(home, 'provider', 'jobs')
mkdirSync(jobsDir, { recursive: true })
const log = (m) => process.stderr.write(`openagentsd: ${m}\n`)
const KIND = { 5930: 'SandboxRun', 5931: 'RepoIndex', 5932: 'PatchGen', 5933: 'CodeReview', 5050: 'TextGen' }
const PRICE = { PatchGen: 3000, CodeReview: 2000, SandboxRun: 200 }
const pay = await mockPayments(home, cfg, log)

// OA_MOCK_BUG=hash|dup|nofilter|plain: a known bug, to see the tests catch it
const BUG = process.env.OA_MOCK_BUG || ''
const seen = new Set()
const running = new Map()	// request id -> {req, kill}
const relays = []
for (const url of urls) {
  const r = await Relay.connect(url)
  r.subscribe([{ kinds: [5930, 5931, 5932, 5933, 5050, 5], since: Math.floor(Date.now() / 1000) - 60 }], { onevent: onEvent })
  relays.push(r)
}
writeFileSync(join(home, 'provider', 'mock-status.json'), JSON.stringify({
  status: 'online', pid: process.pid, isolation, helpers: [],
  relays: urls.map((url) => ({ url, state: 'open' }))
}))
log('all helpers ready: provider online')
process.on('SIGTERM', () => { for (const j of running.values()) j.kill(); process.exit(0) })

async function publish (ev) {
  for (const url of urls) { try { await publishEvent(url, ev) } catch (e) { log(`publish: ${e.message}`) } }
  if (BUG === 'dup' && RESULT_KINDS.includes(ev.kind)) {
    const again = finalizeEvent({ kind: ev.kind, created_at: ev.created_at + 1, tags: ev.tags, content: ev.content }, sk)
    for (const url of urls) await publishEvent(url, again)
  }
}

function sign (req, kind, tags, content = '') {
  const base = [['e', req.id], ['p', req.pubkey]]
  if (req.scheme && BUG !== 'plain') {
    if (content !== '') content = req.scheme === 44 ? nip44.encrypt(content, nip44.getConversationKey(sk, req.pubkey)) : nip04.encrypt(sk, req.pubkey, content)
    tags = [...tags, ['encrypted']]
  }
  return finalizeEvent({ kind, created_at: Math.floor(Date.now() / 1000), tags: [...base, ...tags], content }, sk)
}
const feedback = (req, status, extra = '') => publish(sign(req, 7000, [['status', status, extra]]))
async function fail (req, code, msg, result = true) {
  pay.failed(req)
  await feedback(req, 'error', `${code}: ${msg}`)
  if (result) await publish(sign(req, req.kind + 1000, [['request', JSON.stringify(req.ev)], ['status', code === 'E004' ? 'timeout' : 'failed'], ['error', code, msg]]))
}

function onEvent (ev) {
  if (seen.has(ev.id)) return
  seen.add(ev.id)
  if (ev.kind === 5) {
    for (const t of ev.tags) {
      const j = t[0] === 'e' && running.get(t[1])
      if (j && j.req.pubkey === ev.pubkey) { log(`cancel job_${t[1].slice(0, 16)} by kind 5 ${ev.id}`); j.cancelled = true; j.kill() }
    }
    return
  }
  log(`job request ${ev.id} kind ${ev.kind} from ${ev.pubkey}`)
  handle(ev).catch((e) => log(`job ${ev.id}: ${e.stack}`))
}

// globs: ** any path, * within a segment
const globRe = (g) => new RegExp('^' + g.split('**').map((p) => p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*') + '$')
const matches = (path, globs) => globs.some((g) => globRe(g).test(path) || (g.endsWith('/**') && path.startsWith(g.slice(0, -2))))

function fetchRepo (req, dest) {
  const url = req.url
  if (!url || !url.startsWith('file://')) return ['E002', `not a local repository: ${url}`]
  const path = url.slice(7)
  if (!roots.some((r) => path === r || path.startsWith(r + '/'))) return ['E002', `${path} is outside allow_local_repos`]
  const c = spawnSync('git', ['clone', '-q', path, dest])
  if (c.status !== 0) return ['E002', 'repository not accessible']
  if (spawnSync('git', ['checkout', '-q', req.p.repo_ref || 'HEAD'], { cwd: dest }).status !== 0) return ['E003', `ref not found: ${req.p.repo_ref}`]
  rmSync(join(dest, '.git'), { recursive: true })
  if (BUG !== 'nofilter') spawnSync('sh', ['-c', "find . \\( -name '.env*' -o -name '*.pem' -o -name '*secret*' -o -name 'credentials*' \\) -exec rm -rf {} +"], { cwd: dest })
  const g = (args) => spawnSync('git', ['-c', 'user.name=p', '-c', 'user.email=p@p', ...args], { cwd: dest })
  g(['init', '-q', '.']); g(['add', '-A']); g(['commit', '-qm', 'filtered'])
  return null
}

// runs argv in the sandbox; resolves {code, stdout, stderr, timedOut}
function sandbox (j, dir, argv, env, { ro = null, out = null, limit }) {
  const b = isolation === 'container'
    ? ['bwrap', '--ro-bind', '/usr', '/usr', '--ro-bind', '/etc', '/etc', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib',
        '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/sbin', '/sbin', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
        '--bind', dir, '/workspace', ...(ro ? ['--ro-bind', ro, '/repo'] : []), ...(out ? ['--bind', out, '/out'] : []),
        '--ro-bind', agent, '/agent.sh', '--unshare-all', '--die-with-parent', '--new-session', '--chdir', '/workspace', '--']
    : []
  const full = [...b, ...argv.map((a) => isolation === 'container' && a === agent ? '/agent.sh' : a)]
  return new Promise((resolve) => {
    const p = spawn(full[0], full.slice(1), { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let stdout = ''; let stderr = ''; let timedOut = false
    p.stdout.on('data', (x) => { stdout += x }); p.stderr.on('data', (x) => { stderr += x })
    const kill = () => { try { process.kill(-p.pid, 'SIGKILL') } catch {} }
    j.kill = kill
    const t = setTimeout(() => { timedOut = true; kill() }, limit * 1000)
    p.on('close', (code) => { clearTimeout(t); resolve({ code, stdout, stderr, timedOut }) })
  })
}

async function handle (ev) {
  const req = { id: ev.id, pubkey: ev.pubkey, kind: ev.kind, ev, scheme: 0, p: {}, texts: [], url: null }
  let tags = ev.tags
  if (ev.tags.some((t) => t[0] === 'encrypted')) {
    req.scheme = schemeOf(ev.content)
    const text = req.scheme === 44 ? nip44.decrypt(ev.content, nip44.getConversationKey(sk, ev.pubkey)) : nip04.decrypt(sk, ev.pubkey, ev.content)
    tags = [...ev.tags, ...JSON.parse(text)]
  }
  const ps = tags.filter((t) => t[0] === 'p').map((t) => t[1])
  if (ps.length > 0 && !ps.includes(pk)) return
  const type = KIND[ev.kind]
  if (!types.includes(type)) return ps.includes(pk) ? fail(req, 'E009', `unsupported job type ${ev.kind}`, false) : null
  for (const t of tags) {
    if (t[0] === 'param') req.p[t[1]] = t[2]
    if (t[0] === 'i' && t[2] === 'url' && !req.url) req.url = t[1]
    if (t[0] === 'i' && t[2] === 'text') req.texts.push(t[1])
  }
  if (type !== 'CodeReview' && !req.url) return fail(req, 'E001', 'no repository input', false)
  if (Number(req.p.max_cost_sats ?? 0) < PRICE[type]) return fail(req, 'E008', `price ${PRICE[type]} exceeds max_cost_sats`, false)
  pay.row(req, type)
  const paid = await pay.first(req, PRICE[type], (tags) => publish(sign(req, 7000, tags)))
  if (paid === 'E007') return fail(req, 'E007', 'the wallet did not answer')
  if (!paid) return
  const j = { req, kill: () => {}, cancelled: false }
  running.set(req.id, j)
  await feedback(req, 'processing', 'Running the agent')
  const dir = join(jobsDir, `job_${req.id.slice(0, 16)}`)
  mkdirSync(join(dir, 'out'), { recursive: true })
  const limit = Math.min(Math.max(Number(req.p.time_limit_secs || req.p.timeout_secs || 900), 30), 3600, timeCap)
  try {
    if (type === 'CodeReview') return await review(j, req, dir, limit)
    const ws = join(dir, 'ws')
    const bad = fetchRepo(req, ws)
    if (bad) return await fail(req, ...bad)
    if (type === 'SandboxRun') return await run(j, req, ws, limit)
    return await patch(j, req, dir, ws, limit)
  } finally { running.delete(req.id) }
}

function agentEnv (req, dir, type, files) {
  return {
    PATH: '/usr/bin:/bin', HOME: '/tmp', OA_JOB_ID: `job_${req.id.slice(0, 16)}`, OA_JOB_TYPE: type,
    OA_OUTPUT_DIR: isolation === 'container' ? '/out' : join(dir, 'out'), ...files
  }
}
const inBox = (dir, f) => isolation === 'container' ? `/out/${f}` : join(dir, 'out', f)
const usage = (stdout) => {
  const u = stdout.split('\n').map((l) => { try { return JSON.parse(l) } catch { return null } }).find((o) => o && o.type === 'usage')
  return u ? ['input_tokens', 'output_tokens', 'cache_read_tokens'].map((k) => ['usage', k, String(u[k])]) : []
}

async function patch (j, req, dir, ws, limit) {
  writeFileSync(join(dir, 'out', 'issue'), req.texts.join('\n\n'))
  const r = await sandbox(j, ws, ['sh', agent], agentEnv(req, dir, 'PatchGen', { OA_ISSUE_FILE: inBox(dir, 'issue') }), { ro: ws, out: join(dir, 'out'), limit })
  writeFileSync(join(dir, 'trajectory.jsonl'), r.stdout)
  if (j.cancelled) return
  if (r.timedOut) return fail(req, 'E004', `timeout exceeded after ${limit} seconds`)
  if (r.code !== 0) return fail(req, 'E006', `the agent failed with exit ${r.code}`)
  spawnSync('git', ['add', '-A'], { cwd: ws })
  const diff = spawnSync('git', ['diff', '--cached'], { cwd: ws, encoding: 'utf8' }).stdout
  const st = diffStats(diff)
  if (diff === '') return fail(req, 'E006', 'the agent produced no change')
  const allowed = (req.p.allowed_paths || '**').split(','); const dis = (req.p.disallowed_paths || '').split(',').filter((x) => x)
  const off = st.files.find((f) => !matches(f, allowed) || matches(f, dis))
  if (off) return fail(req, 'E006', `the patch touches ${off}, which is not allowed`)
  const tw = join(dir, 'test')
  fetchRepo(req, tw)
  const applies = spawnSync('git', ['apply', '-'], { cwd: tw, input: diff }).status === 0
  const test = await sandbox(j, tw, ['sh', '-c', req.p.test_command], { PATH: '/usr/bin:/bin', HOME: '/tmp' }, { limit })
  if (test.timedOut) return fail(req, 'E004', 'the tests timed out')
  if (!applies || test.code !== 0) return fail(req, 'E006', `tests failed after applying the patch (exit ${test.code})`)
  const vs = []
  for (const c of (req.p.verification_commands || '').split(',').filter((x) => x)) {
    const v = await sandbox(j, tw, ['sh', '-c', c], { PATH: '/usr/bin:/bin', HOME: '/tmp' }, { limit })
    vs.push(['result', 'verification', c.split(' ')[0], String(v.code)])
  }
  const amount = await pay.invoice(req, PRICE.PatchGen)
  if (!amount) return fail(req, 'E007', 'the wallet did not answer for an invoice')
  await publish(sign(req, 6932, [['request', JSON.stringify(req.ev)], ['status', 'success'], ...amount,
    ['result', 'patch_sha256', sha256(BUG === 'hash' ? diff + '\n' : diff)], ['result', 'trajectory_id', `traj_${req.id.slice(0, 16)}`],
    ['result', 'applies_cleanly', 'true'], ['result', 'test_exit_code', '0'],
    ['result', 'files_changed', String(st.files.length)], ['result', 'additions', String(st.additions)],
    ['result', 'deletions', String(st.deletions)], ...vs, ...usage(r.stdout)], diff))
  pay.done(req)
}

async function review (j, req, dir, limit) {
  const diff = req.texts[0] || ''
  writeFileSync(join(dir, 'out', 'diff'), diff)
  const ws = join(dir, 'ws'); mkdirSync(ws, { recursive: true })
  const r = await sandbox(j, ws, ['sh', agent], agentEnv(req, dir, 'CodeReview', { OA_DIFF_FILE: inBox(dir, 'diff') }), { out: join(dir, 'out'), limit })
  if (r.timedOut) return fail(req, 'E004', 'timeout')
  let rv = null
  try { rv = JSON.parse(readFileSync(join(dir, 'out', 'review.json'), 'utf8')) } catch {}
  if (!rv) return fail(req, 'E006', 'no review.json')
  const files = diffStats(diff).files
  const sev = ['critical', 'high', 'medium', 'low', 'info']
  if (!rv.issues.every((i) => sev.includes(i.severity))) return fail(req, 'E006', 'schema_valid: bad severity')
  if (![...rv.issues, ...rv.suggestions].every((i) => files.includes(i.file))) return fail(req, 'E006', 'references_valid: a file not in the diff')
  const content = JSON.stringify(rv)
  const max = sev.find((s) => rv.issues.some((i) => i.severity === s)) || 'none'
  await publish(sign(req, 6933, [['request', JSON.stringify(req.ev)], ['status', 'success'], ['result', 'review_sha256', sha256(content)],
    ['result', 'trajectory_id', `traj_${req.id.slice(0, 16)}`], ['result', 'approval_status', rv.approval_status],
    ['result', 'issues_found', String(rv.issues.length)], ['result', 'severity_max', max],
    ['result', 'suggestions_count', String(rv.suggestions.length)], ...usage(r.stdout)], content))
}

async function run (j, req, ws, limit) {
  const t0 = Date.now()
  const r = await sandbox(j, ws, ['sh', '-c', req.p.command], { PATH: '/usr/bin:/bin', HOME: '/tmp' }, { limit })
  if (r.timedOut) return fail(req, 'E004', 'timeout')
  await publish(sign(req, 6930, [['request', JSON.stringify(req.ev)], ['status', 'success'], ['result', 'output_sha256', sha256(r.stdout)],
    ['result', 'trajectory_id', `traj_${req.id.slice(0, 16)}`], ['result', 'exit_code', String(r.code)],
    ['result', 'stdout_sha256', sha256(r.stdout)], ['result', 'stderr_sha256', sha256(r.stderr)],
    ['result', 'duration_ms', String(Date.now() - t0)], ['result', 'peak_memory_mb', '1'], ['result', 'cpu_seconds', '0.01']], r.stdout))
}
