// The job tests' own parts, without the daemon: the fixture is the same
// on every run and fails its tests until fixed; each agent behaviour,
// run by hand on a filtered copy of the fixture as workerd would run it,
// does what the job tests rely on; the buyer's checks accept a
// hand-made result signed by a stand-in provider key and delivered by
// the npm relay, and reject tampered ones; encrypted results decrypt.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  check, finish, deadline, tempdir, makeFixture, installAgent, checkout, reviewDiff, startRelay, stopProc,
  Collector, post, patchJob, sandboxJob, encryptJob, decryptFrom, schemeOf, generateSecretKey, getPublicKey,
  finalizeEvent, patchSuccessChecks, failureChecks, envelopeChecks, diffStats, addedLines, sha256, resultOf, now,
  publishEvent, signEvent, fetchEvents, HERE
} from './jobslib.mjs'

deadline(150000)
const T = tempdir()
const fx = makeFixture(T)
const agent = installAgent(T)

// 1. the fixture
{
  const again = makeFixture(join(T, 'again'))
  check(/^[0-9a-f]{40}$/.test(fx.sha) && again.sha === fx.sha, 'fixture: the same SHA on every run (fixed authors and dates)', `${fx.sha} ${again.sha}`)
  const g = (args) => spawnSync('git', args, { cwd: fx.path, encoding: 'utf8' }).stdout.trim()
  check(g(['rev-parse', 'feature/sum']) === fx.sha, 'fixture: branch feature/sum at HEAD')
  check(g(['rev-parse', 'v1.0^{commit}']) === g(['rev-parse', 'HEAD~1']), 'fixture: tag v1.0 on the first commit')
  check(existsSync(join(fx.path, '.env')) && /BEGIN PRIVATE KEY/.test(readFileSync(join(fx.path, 'deploy', 'key.pem'), 'utf8')),
    'fixture: .env and deploy/key.pem are committed')
  const t = spawnSync('sh', ['test.sh'], { cwd: fx.path, encoding: 'utf8' })
  check(t.status !== 0 && /FAIL: calc.sh sum 5/.test(t.stdout), 'fixture: sh test.sh fails with the bug', t.stdout)
  check(spawnSync('sh', ['lint.sh'], { cwd: fx.path }).status === 0, 'fixture: lint.sh passes')
}

// 2. the agents, by hand, the way workerd runs them: cwd a writable
// copy of the filtered repo, artifacts in an output folder, the inputs
// in files named by the environment
let nrun = 0
function runAgent (behaviour, { extra = '', keepSecrets = false, type = 'PatchGen', diff = null, wrap = [] } = {}) {
  const w = join(T, `run${nrun++}`)
  const ws = join(w, 'workspace')
  checkout(fx, ws)
  spawnSync('rm', ['-rf', join(ws, '.git')])
  if (!keepSecrets) spawnSync('rm', ['-f', join(ws, '.env'), join(ws, 'deploy', 'key.pem')])
  const g = (args) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: ws, encoding: 'utf8' })
  g(['init', '-q', '.']); g(['add', '-A']); g(['commit', '-qm', 'filtered'])
  mkdirSync(join(w, 'out'))
  writeFileSync(join(w, 'issue'), `Fix sum. [oa-test-agent:${behaviour}] ${extra}`)
  if (diff !== null) writeFileSync(join(w, 'diff'), diff)
  const env = {
    PATH: process.env.PATH,
    HOME: '/tmp',
    OA_JOB_ID: `job_selftest${nrun}`,
    OA_JOB_TYPE: type,
    OA_OUTPUT_DIR: join(w, 'out'),
    OA_TIME_LIMIT_SECS: '60',
    OA_MEMORY_MB: '256',
    OA_ALLOWED_PATHS: 'src/**',
    OA_TEST_COMMAND: 'sh test.sh',
    ...(type === 'CodeReview' ? { OA_DIFF_FILE: join(w, 'diff') } : { OA_ISSUE_FILE: join(w, 'issue') }),
    OA_REPO_DIR: join(w, 'no-repo')
  }
  const argv = [...wrap, 'sh', agent]
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ws, env, encoding: 'utf8', timeout: 60000 })
  g(['add', '-A'])
  const patch = g(['diff', '--cached']).stdout
  const lines = r.stdout.split('\n').filter((l) => l !== '')
  let json = true
  for (const l of lines) { try { if (typeof JSON.parse(l) !== 'object') json = false } catch { json = false } }
  return { exit: r.status, lines, json, patch, files: diffStats(patch).files, out: join(w, 'out'), stderr: r.stderr, ws }
}

const fix = runAgent('fix')
check(fix.exit === 0, 'agent fix: exits 0', fix.stderr)
check(fix.json && fix.lines.some((l) => JSON.parse(l).type === 'usage'), 'agent fix: the trajectory is JSON lines with a usage line', fix.lines.join('\n'))
check(JSON.stringify(fix.files) === '["src/calc.sh"]', 'agent fix: changes src/calc.sh only', fix.files)
check(spawnSync('sh', ['test.sh'], { cwd: fix.ws }).status === 0, 'agent fix: sh test.sh passes in its workspace')
const leak = runAgent('fix', { keepSecrets: true })
check(leak.exit === 9, 'agent fix: exits 9 when .env or key.pem is visible (the secret-filter check)', leak.lines.join('\n'))
const brk = runAgent('break')
check(brk.exit === 0 && brk.files.length === 1 && spawnSync('sh', ['test.sh'], { cwd: brk.ws }).status !== 0,
  'agent break: changes src/calc.sh and test.sh still fails')
const dis = runAgent('disallowed')
check(dis.exit === 0 && dis.files.includes('docs/README.md') && dis.files.includes('.env'), 'agent disallowed: also edits docs/README.md and writes .env', dis.files)
const none = runAgent('no-such-behaviour')
check(none.exit !== 0, 'agent: an unknown behaviour fails')
const t0 = Date.now()
const slow = runAgent('sleepfix:1.25')
check(slow.exit === 0 && Date.now() - t0 >= 1200 && slow.files.length === 1, 'agent sleepfix: sleeps, then fixes')
for (const kind of ['good', 'bad']) {
  const r = runAgent('x', { type: 'CodeReview', diff: reviewDiff(fx, T, `review-${kind}`) })
  let review = null
  try { review = JSON.parse(readFileSync(join(r.out, 'review.json'), 'utf8')) } catch {}
  const sev = review?.issues?.[0]?.severity
  check(r.exit === 0 && review && review.approval_status === 'approve' && (kind === 'good' ? sev === 'low' && review.issues[0].file === 'src/calc.sh'
    : sev === 'urgent' && review.issues[0].file === 'lib/not-in-the-diff.c'), `agent review-${kind}: writes $OA_OUTPUT_DIR/review.json as expected`, JSON.stringify(review))
}

// the escape probes, where bubblewrap can stand in for the sandbox:
// they must tell a blocked network or a read-only root from an open one
const bwrap = spawnSync('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', 'true']).status === 0
if (bwrap) {
  const A0 = await startRelay(T, 'probe')
  const base = ['bwrap', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--bind', T, T, '--unshare-pid', '--die-with-parent']
  const report = (r) => Object.fromEntries(addedLines(r.patch, 'src/escape-report.txt').map((l) => l.split('=')))
  const open = report(runAgent('escape-net', { extra: `oa-probe-relay=127.0.0.1:${A0.port}`, wrap: base }))
  const shut = report(runAgent('escape-net', { extra: `oa-probe-relay=127.0.0.1:${A0.port}`, wrap: [...base, '--unshare-net'] }))
  check(open.net_relay === 'open' && shut.net_relay === 'blocked' && shut.net_dns === 'blocked',
    'agent escape-net: reports open with a network and blocked without one', JSON.stringify({ open, shut }))
  const wr = report(runAgent('escape-write', { wrap: base }))
  check(['usr', 'root', 'etc'].every((k) => wr[`write_${k}`] === 'blocked'), 'agent escape-write: reports blocked under a read-only root', JSON.stringify(wr))
  mkdirSync(join(T, 'hosthome', '.ssh'), { recursive: true })
  writeFileSync(join(T, 'hosthome', '.ssh', 'id_marker'), 'marker\n')
  const hm = report(runAgent('escape-home', { extra: `oa-probe-home=${join(T, 'hosthome')} oa-probe-oahome=${join(T, 'nothing')}`, wrap: base }))
  check(hm.home === 'listed:.ssh,' && hm.home_marker === 'READ' && hm.oahome === 'absent',
    'agent escape-home: sees a visible home and an absent folder for what they are', JSON.stringify(hm))
  const fb = report(runAgent('forkbomb:57.913', { wrap: base }))
  check(fb.forks_alive === '1000', 'agent forkbomb: counts its processes (1000 when nothing limits it)', JSON.stringify(fb))
  await stopProc(A0.proc)
} else {
  console.log('# bubblewrap not usable here: the escape probes are not run by hand')
}

// 3. the buyer's checks on a hand-made result, through the npm relay
const A = await startRelay(T, 'a')
const col = new Collector()
await col.connect([A.url])
const provSk = generateSecretKey()
const prov = getPublicKey(provSk)
const buyer = generateSecretKey()
const req = await post([A.url], buyer, patchJob(fx, 'fix', { provider: prov }))
const diff = fix.patch
const st = diffStats(diff)
const sign = (tmpl) => finalizeEvent({ created_at: now(), content: '', ...tmpl }, provSk)
const resultTags = (content) => [
  ['e', req.id], ['p', req.pubkey], ['request', JSON.stringify(req)], ['status', 'success'],
  ['result', 'patch_sha256', sha256(content)], ['result', 'trajectory_id', 'traj_selftest'],
  ['result', 'applies_cleanly', 'true'], ['result', 'test_exit_code', '0'],
  ['result', 'files_changed', String(st.files.length)], ['result', 'additions', String(st.additions)],
  ['result', 'deletions', String(st.deletions)], ['result', 'verification', 'sh', '0'],
  ['usage', 'input_tokens', '1200'], ['usage', 'output_tokens', '340'], ['usage', 'cache_read_tokens', '50']
]
await publishEvent(A.url, sign({ kind: 7000, tags: [['e', req.id], ['p', req.pubkey], ['status', 'processing', 'Running the agent']] }))
// an unrelated result on the same relay must not be attributed
await publishEvent(A.url, sign({ kind: 6932, tags: [['e', 'f'.repeat(64)], ['p', req.pubkey], ['status', 'success']], content: 'x' }))
const good = sign({ kind: 6932, tags: resultTags(diff), content: diff })
await publishEvent(A.url, good)
const got = await col.waitFor(req.id, (e) => e.kind === 6932, 10000)
check(got && got.id === good.id, 'buyer: the live subscription delivers the result, attributed by its e tag')
check(col.results(req.id).length === 1 && col.feedback(req.id)[0]?.tags[2]?.[1] === 'processing', 'buyer: one result and the processing feedback for the request, nothing else')
const ctx = { req, provider: prov, fixture: fx, dir: T, expect: { files: ['src/calc.sh'] } }
const checks = got ? patchSuccessChecks(got, ctx) : []
const bad = checks.filter((c) => !c[0])
check(checks.length > 20 && bad.length === 0, `buyer: all ${checks.length} PatchGen checks pass on a good result`, bad.map((c) => `${c[1]}: ${c[2] ?? ''}`).join('\n'))

function failing (ev, extraCtx = {}) {
  return patchSuccessChecks(ev, { ...ctx, ...extraCtx }).filter((c) => !c[0]).map((c) => c[1])
}
const tampered = { ...good, tags: good.tags.map((t) => t[1] === 'patch_sha256' ? ['result', 'patch_sha256', sha256(diff + ' ')] : t) }
const tf = failing(tampered)
check(tf.some((d) => /patch_sha256/.test(d)) && tf.some((d) => /verify/.test(d)), 'buyer: a changed hash fails the hash and the signature checks', tf.join('\n'))
const other = sign({ kind: 6932, tags: resultTags(brk.patch), content: brk.patch })
check(failing(other).some((d) => /sh test.sh exits 0/.test(d)), "buyer: break-agent's patch fails the buyer's tests")
const stranger = finalizeEvent({ kind: 6932, created_at: now(), tags: resultTags(diff), content: diff }, generateSecretKey())
check(failing(stranger).some((d) => /provider's key/.test(d)), "buyer: a result signed by another key is not the provider's")
const noReq = sign({ kind: 6932, tags: resultTags(diff).filter((t) => t[0] !== 'request'), content: diff })
check(failing(noReq).some((d) => /request event JSON/.test(d)), 'buyer: a result without the request tag fails')

// failure shapes: a 7000 error with the code, and a failed result
const req2 = await post([A.url], buyer, patchJob(fx, 'break', { provider: prov }))
await publishEvent(A.url, sign({ kind: 7000, tags: [['e', req2.id], ['p', req2.pubkey], ['status', 'error', 'E006: sh test.sh exited 1']] }))
await publishEvent(A.url, sign({ kind: 6932, tags: [['e', req2.id], ['p', req2.pubkey], ['request', JSON.stringify(req2)], ['status', 'failed'], ['error', 'E006', 'tests failed after applying the patch'], ['result', 'test_exit_code', '1']] }))
await col.waitEnd(req2.id, 10000)
await col.waitFor(req2.id, (e) => e.kind === 6932, 5000)
const fc = failureChecks(col, req2, prov, 'E006', 'break')
check(fc.every((c) => c[0]), 'buyer: a 7000 error and a failed result with E006 pass the failure checks', fc.filter((c) => !c[0]).map((c) => c[1]).join('\n'))
check(failureChecks(col, req2, prov, 'E004', 'x').some((c) => !c[0]), 'buyer: and do not pass for another code')

// encrypted: both schemes decrypt with the buyer's key; a payload's
// scheme is told from its form
for (const scheme of [4, 44]) {
  const tmpl = encryptJob(sandboxJob(fx, 'echo hello-encrypted'), buyer, prov, scheme)
  check(schemeOf(tmpl.content) === scheme && !tmpl.tags.some((t) => t[0] === 'i'), `NIP-${scheme === 4 ? '04' : '44'}: the request hides its i and param tags`)
  const inner = JSON.parse(decryptFrom(tmpl.content, provSk, getPublicKey(buyer), scheme))
  check(inner.some((t) => t[0] === 'param' && t[2] === 'echo hello-encrypted'), `NIP-${scheme === 4 ? '04' : '44'}: the provider's key opens it`)
  const back = scheme === 44 ? encryptJob({ tags: [['i', 'hello-encrypted\n']] }, provSk, getPublicKey(buyer), 44).content : encryptJob({ tags: [['i', 'hello-encrypted\n']] }, provSk, getPublicKey(buyer), 4).content
  check(JSON.parse(decryptFrom(back, buyer, prov, scheme))[0][1] === 'hello-encrypted\n', `NIP-${scheme === 4 ? '04' : '44'}: an answer from the provider opens with the buyer's key`)
}
check(envelopeChecks(good, req, prov).every((c) => c[0]), 'envelope checks pass on the good result')
check(resultOf(good, 'patch_sha256') === sha256(good.content), 'sha256 helper: hex of the content bytes')

// kind-5 deletions: the npm engine applies and drops them; relay9.mjs
// keeps them for subscribers, as NIP-09 asks (the cancellation test)
const R9 = await startRelay(T, 'r9', { script: join(HERE, 'relay9.mjs') })
await col.connect([R9.url])
for (const r of [A, R9]) {
  const victim = await post([r.url], buyer, sandboxJob(fx, 'true'))
  await publishEvent(r.url, signEvent(buyer, { kind: 5, tags: [['e', victim.id], ['k', '5930']], content: '' }))
  const seen = await col.waitFor(victim.id, () => false, 1500) ?? col.order.some((e) => e.kind === 5 && e.tags[0][1] === victim.id)
  const stored = await fetchEvents(r.url, { kinds: [5], '#e': [victim.id] }, 5000)
  if (r === A) check(!seen && stored.length === 0, 'relay.mjs: a kind 5 is applied, neither stored nor broadcast (why relay9.mjs exists)')
  else check(seen && stored.length === 1, 'relay9.mjs: a kind 5 is broadcast and stored')
}
col.close()
await stopProc(A.proc)
await stopProc(R9.proc)
finish()
