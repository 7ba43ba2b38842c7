#!/usr/bin/env node
// Provisions the native TensorFlow backend of @tensorflow/tfjs-node without
// its install script. That script downloads libtensorflow from a host that
// this project's machines cannot reach; the tensorflow-cpu wheel on PyPI ships
// the same C API in libtensorflow_cc.so.2 + libtensorflow_framework.so.2, so we
// download the wheel with pip, unpack the two libraries and the C headers into
// the package's deps/ folder (where its binding.gyp looks), build the N-API
// binding with node-gyp and check that the backend loads and computes.
//
//   node scripts/native/setup-native.mjs [--package-dir DIR] [--tf-version X.Y.Z]
//        [--cache-dir DIR] [--force] [--optional] [--no-strip] [--no-install-package]
//
// --optional: never exit non-zero (for a postinstall hook); failures are still
// printed. EMOTION_STUDIO_SKIP_NATIVE=1 skips everything.
// The wheel is cached in .cache/native, or in $EMOTION_STUDIO_NATIVE_CACHE.
// Evidence and reasoning: docs/native-backend.md.

import {spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync} from 'node:fs';
import {createRequire} from 'node:module';
import {arch, platform} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const PACKAGE_NAME = '@tensorflow/tfjs-node';
// Newest tensorflow-cpu wheel tested with the tfjs-node 4.22 binding (built for
// the 2.9 C API, which later releases keep). 2.12.0 works too; 2.9.x cannot:
// its C API sits in _pywrap_tensorflow_internal.so, which needs libpython.
const DEFAULT_TF_VERSION = '2.21.0';
// The libraries carry no Python code, so any cp311 wheel will do whatever
// python3 runs pip here.
const WHEEL_TAGS = ['--python-version', '3.11', '--implementation', 'cp', '--abi', 'cp311',
  '--platform', 'manylinux_2_27_x86_64', '--platform', 'manylinux2014_x86_64'];
// tfjs-node's own install script skips its download when this file exists, so
// a later `npm rebuild` keeps our deps/ instead of wiping it.
const INSTALL_SCRIPT_MARKER = 'libtensorflow.so.2.9.1';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

class SetupError extends Error {}

function parseArgs(argv) {
  const cacheFromEnv = process.env.EMOTION_STUDIO_NATIVE_CACHE;
  const options = {packageDir: undefined, tfVersion: DEFAULT_TF_VERSION,
    cacheDir: cacheFromEnv ? resolve(cacheFromEnv) : join(projectRoot, '.cache', 'native'),
    force: false, optional: false, strip: true, installPackage: true};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new SetupError(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--package-dir') options.packageDir = resolve(value());
    else if (arg === '--tf-version') options.tfVersion = value();
    else if (arg === '--cache-dir') options.cacheDir = resolve(value());
    else if (arg === '--force') options.force = true;
    else if (arg === '--optional') options.optional = true;
    else if (arg === '--no-strip') options.strip = false;
    else if (arg === '--no-install-package') options.installPackage = false;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else throw new SetupError(`unknown argument ${arg} (try --help)`);
  }
  return options;
}

function say(message) {
  console.log(`[setup-native] ${message}`);
}

/** Runs a command; throws a SetupError naming it, with its output's tail, when it fails. */
function run(command, args, {cwd, env, quiet = false, step} = {}) {
  const result = spawnSync(command, args, {cwd, env: env ?? process.env, encoding: 'utf8',
    stdio: quiet ? 'pipe' : ['ignore', 'inherit', 'inherit'], maxBuffer: 256 * 1024 * 1024});
  if (result.error) throw new SetupError(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) {
    const tail = quiet ? `\n${`${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n')}` : '';
    throw new SetupError(`${step ? `${step}: ` : ''}${command} ${args.join(' ')} exited with ${result.status}${tail}`);
  }
  return result.stdout ?? '';
}

function which(command) {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], {encoding: 'utf8'});
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function findPackageDir(options) {
  if (options.packageDir) {
    return existsSync(join(options.packageDir, 'package.json')) ? options.packageDir : undefined;
  }
  try {
    return dirname(createRequire(join(projectRoot, 'package.json')).resolve(`${PACKAGE_NAME}/package.json`));
  } catch {
    return undefined;
  }
}

/** The N-API version node-pre-gyp picks: the highest the package ships that this Node supports. */
function bindingPath(packageDir) {
  const binary = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).binary;
  const supported = binary.napi_versions.filter((v) => v <= Number(process.versions.napi));
  if (supported.length === 0) throw new SetupError(`this Node's N-API ${process.versions.napi} is older than any ${PACKAGE_NAME} supports`);
  const napiVersion = Math.max(...supported);
  const modulePath = resolve(packageDir, binary.module_path.replace('{napi_build_version}', String(napiVersion)));
  return {napiVersion, modulePath, moduleName: binary.module_name, file: join(modulePath, `${binary.module_name}.node`)};
}

// Loads the backend in a child process (a failed dlopen must not take this
// process with it) and checks a matmul and a conv2d gradient against the cpu backend.
const VERIFY_SOURCE = `
const tf = require(process.argv[1]);
const backend = tf.getBackend();
const version = tf.backend().binding.TF_Version;
const product = tf.tensor([[1, 2], [3, 4]]).matMul(tf.tensor([[1, 2], [3, 4]])).arraySync();
const f = (x, w) => tf.conv2d(x, w, 2, 'same').relu().square().sum();
const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 1), w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2);
const xs = x.arraySync(), ws = w.arraySync();
const [dx, dw] = tf.grads(f)([x, w]).map((t) => t.arraySync());
tf.setBackend('cpu');
const [cx, cw] = tf.grads(f)([tf.tensor(xs), tf.tensor(ws)]);
const rel = (a, b) => tf.norm(tf.sub(tf.tensor(a), b)).div(tf.norm(b)).dataSync()[0];
console.log(JSON.stringify({backend, version, product, gradRelDiff: Math.max(rel(dx, cx), rel(dw, cw))}));
`;

function verify(packageDir) {
  const result = spawnSync(process.execPath, ['-e', VERIFY_SOURCE, packageDir], {encoding: 'utf8',
    env: {...process.env, TF_CPP_MIN_LOG_LEVEL: '2'}});
  const line = result.stdout.split('\n').find((l) => l.startsWith('{'));
  if (result.status !== 0 || !line) {
    const reason = (result.stderr || result.stdout).split('\n').filter((l) => /Error|error|cannot|undefined symbol/.test(l)).slice(0, 4).join('\n  ');
    return {ok: false, reason: reason || `exit code ${result.status}`};
  }
  const report = JSON.parse(line);
  const expected = JSON.stringify([[7, 10], [15, 22]]);
  if (report.backend !== 'tensorflow') return {ok: false, reason: `backend is ${report.backend}, not tensorflow`};
  if (JSON.stringify(report.product) !== expected) return {ok: false, reason: `matmul gave ${JSON.stringify(report.product)}`};
  if (!(report.gradRelDiff <= 1e-4)) return {ok: false, reason: `conv2d gradient differs from the cpu backend by ${report.gradRelDiff}`};
  return {ok: true, report};
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  for (const base of [projectRoot, process.cwd()]) {
    try {
      candidates.push(createRequire(join(base, 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
    } catch { /* not installed there */ }
  }
  const found = candidates.find((c) => c && existsSync(c));
  if (found) return {command: process.execPath, args: [found], label: found};
  const onPath = which('node-gyp');
  if (onPath) return {command: onPath, args: [], label: onPath};
  const npx = which('npx');
  if (npx) return {command: npx, args: ['--yes', 'node-gyp'], label: 'npx node-gyp'};
  throw new SetupError('node-gyp not found (it ships with npm; or: npm install -g node-gyp)');
}

/** Node's own headers when they are installed beside it, so node-gyp need not download them. */
function findNodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** TF_/TFE_ functions the binding calls (its RAII helpers and the header-only TString functions aside). */
function symbolsTheBindingNeeds(packageDir) {
  const names = new Set();
  for (const file of readdirSync(join(packageDir, 'binding'))) {
    if (!/\.(cc|h)$/.test(file)) continue;
    for (const match of readFileSync(join(packageDir, 'binding', file), 'utf8').matchAll(/\b(TFE?_[A-Za-z0-9_]+)\s*\(/g)) {
      if (!/^TFE?_Auto|^TF_TString_/.test(match[1])) names.add(match[1]);
    }
  }
  return [...names].sort();
}

function checkSymbols(packageDir, libDir) {
  if (!which('nm')) {
    say('nm (binutils) not found; skipping the symbol check, the build will tell');
    return;
  }
  const exported = new Set();
  for (const lib of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) {
    for (const line of run('nm', ['-D', '--defined-only', join(libDir, lib)], {quiet: true, step: `reading the symbols of ${lib} failed`}).split('\n')) {
      const name = line.split(' ').pop()?.replace(/@.*/, '');
      if (name && /^TFE?_/.test(name)) exported.add(name);
    }
  }
  const needed = symbolsTheBindingNeeds(packageDir);
  const missing = needed.filter((s) => !exported.has(s));
  if (missing.length > 0) {
    throw new SetupError(`the wheel's libraries lack ${missing.length} of the ${needed.length} C API functions the binding calls: ${missing.join(', ')}`);
  }
  say(`the libraries export all ${needed.length} TF_/TFE_ functions the binding calls`);
}

const EXTRACT_SOURCE = `
import re, sys, zipfile, os, shutil
wheel, deps = sys.argv[1], sys.argv[2]
libs = {'tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'}
headers = re.compile(r'^tensorflow/include/((tensorflow/c|tensorflow/tsl/c|tsl/c|xla/tsl/c)/.*\\.h|(tensorflow/core|tensorflow/tsl|tsl|xla/tsl)/platform/ctstring.*\\.h)$')
found = set(); count = 0
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name in libs:
            target = os.path.join(deps, 'lib', os.path.basename(name)); found.add(name)
        elif headers.match(name):
            target = os.path.join(deps, 'include', name[len('tensorflow/include/'):]); count += 1
        else:
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(name) as src, open(target, 'wb') as dst:
            shutil.copyfileobj(src, dst, 16 << 20)
missing = sorted(libs - found)
if missing or count == 0:
    sys.exit('wheel lacks ' + ', '.join(missing or ['the C headers']))
print(count)
`;

function findWheel(cacheDir, tfVersion) {
  if (!existsSync(cacheDir)) return undefined;
  const name = readdirSync(cacheDir).find((f) => f.startsWith(`tensorflow_cpu-${tfVersion}-`) && f.endsWith('.whl'));
  return name ? join(cacheDir, name) : undefined;
}

function setup(options) {
  if (platform() !== 'linux' || arch() !== 'x64') {
    throw new SetupError(`only linux-x64 is provisioned from the tensorflow-cpu wheel; this is ${platform()}-${arch()}`);
  }

  say(`looking for ${PACKAGE_NAME}`);
  let packageDir = findPackageDir(options);
  if (!packageDir && !options.packageDir && options.installPackage) {
    // npm removes an optional dependency whose install script failed, with its
    // whole dependency tree; put it back without running that script.
    const declared = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));
    const range = declared.optionalDependencies?.[PACKAGE_NAME] ?? declared.dependencies?.[PACKAGE_NAME];
    if (!range) {
      say(`${PACKAGE_NAME} is not a dependency of ${projectRoot}; nothing to do`);
      return;
    }
    say(`${PACKAGE_NAME} is not in node_modules (npm drops it when its install script fails); installing it without scripts`);
    run('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${PACKAGE_NAME}@${range}`],
      {cwd: projectRoot, step: `installing ${PACKAGE_NAME} without scripts failed`});
    packageDir = findPackageDir(options);
  }
  if (!packageDir) throw new SetupError(`${PACKAGE_NAME} is not installed${options.packageDir ? ` at ${options.packageDir}` : ''}`);
  say(`found ${packageDir}`);

  const binding = bindingPath(packageDir);
  if (!options.force && existsSync(binding.file)) {
    say('its native binding exists; checking that it loads');
    const check = verify(packageDir);
    if (check.ok) {
      say(`already set up: backend tensorflow, TensorFlow ${check.report.version}`);
      return;
    }
    say(`it does not load (${check.reason}); rebuilding`);
  }

  say('checking the tools: python3 with pip, make, a C++ compiler, node-gyp');
  const python = which('python3') ?? which('python');
  if (!python) throw new SetupError('python3 not found (needed for pip and node-gyp)');
  run(python, ['-m', 'pip', '--version'], {quiet: true, step: 'pip is not usable (python3 -m pip)'});
  if (!which('make')) throw new SetupError('make not found (apt-get install build-essential)');
  if (!which('c++') && !which('g++')) throw new SetupError('no C++ compiler found (apt-get install g++)');
  const nodeGyp = findNodeGyp();
  const nodeDir = findNodeDir();
  say(`using ${python}, node-gyp ${nodeGyp.label}, Node headers from ${nodeDir ?? 'node-gyp\'s download'}`);

  mkdirSync(options.cacheDir, {recursive: true});
  let wheel = findWheel(options.cacheDir, options.tfVersion);
  if (wheel) {
    say(`using the cached wheel ${wheel}`);
  } else {
    say(`downloading tensorflow-cpu==${options.tfVersion} with pip (about 270 MB) into ${options.cacheDir}`);
    run(python, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', ...WHEEL_TAGS,
      '--disable-pip-version-check', '-d', options.cacheDir, `tensorflow-cpu==${options.tfVersion}`],
      {step: `downloading the tensorflow-cpu ${options.tfVersion} wheel from PyPI failed`});
    wheel = findWheel(options.cacheDir, options.tfVersion);
    if (!wheel) throw new SetupError(`pip reported success but no tensorflow_cpu-${options.tfVersion}-*.whl is in ${options.cacheDir}`);
  }

  const depsDir = join(packageDir, 'deps');
  const stagingDir = join(packageDir, 'deps.partial');
  say(`extracting libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the C headers into ${depsDir}`);
  rmSync(stagingDir, {recursive: true, force: true});
  const headerCount = run(python, ['-c', EXTRACT_SOURCE, wheel, stagingDir],
    {quiet: true, step: `extracting ${wheel} failed`}).trim();
  say(`extracted 2 libraries and ${headerCount} headers`);
  const libDir = join(stagingDir, 'lib');
  if (options.strip && which('strip')) {
    say('stripping the static symbol table from libtensorflow_cc.so.2 (about 200 MB; exported symbols stay)');
    run('strip', ['--strip-unneeded', join(libDir, 'libtensorflow_cc.so.2')], {quiet: true, step: 'strip failed (retry with --no-strip)'});
  }
  for (const lib of readdirSync(libDir)) chmodSync(join(libDir, lib), 0o755);
  // binding.gyp links -ltensorflow -ltensorflow_framework; the binding then
  // records the real sonames (libtensorflow_cc.so.2), found at run time through
  // its rpath $ORIGIN/../../deps/lib.
  symlinkSync('libtensorflow_cc.so.2', join(libDir, 'libtensorflow.so'));
  symlinkSync('libtensorflow_framework.so.2', join(libDir, 'libtensorflow_framework.so'));
  symlinkSync('libtensorflow_cc.so.2', join(libDir, INSTALL_SCRIPT_MARKER));
  checkSymbols(packageDir, libDir);
  rmSync(depsDir, {recursive: true, force: true});
  renameSync(stagingDir, depsDir);

  say(`building the binding with node-gyp (N-API ${binding.napiVersion})`);
  rmSync(binding.file, {force: true});
  run(nodeGyp.command, [...nodeGyp.args, 'rebuild', ...(nodeDir ? [`--nodedir=${nodeDir}`] : []),
    `--module_name=${binding.moduleName}`, `--module_path=${binding.modulePath}`,
    `--napi_build_version=${binding.napiVersion}`], {cwd: packageDir, env: {...process.env, npm_config_loglevel: 'warn'}, step: 'building the binding failed'});
  if (!existsSync(binding.file)) throw new SetupError(`node-gyp succeeded but ${binding.file} is missing`);

  say('loading the backend and checking a matmul and a conv2d gradient against the cpu backend');
  const check = verify(packageDir);
  if (!check.ok) throw new SetupError(`the built binding does not work: ${check.reason}`);
  say(`done: backend tensorflow, TensorFlow ${check.report.version}, gradient difference ${check.report.gradRelDiff.toExponential(1)}`);
}

let options;
try {
  options = parseArgs(process.argv.slice(2));
  if (options.help) {
    console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 15).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  } else if (process.env.EMOTION_STUDIO_SKIP_NATIVE === '1') {
    say('EMOTION_STUDIO_SKIP_NATIVE=1: skipped');
  } else {
    setup(options);
  }
} catch (error) {
  const message = error instanceof SetupError ? error.message : error?.stack ?? String(error);
  console.error(`[setup-native] failed: ${message}`);
  if (options?.optional) {
    console.error('[setup-native] continuing without the native backend: training will use wasm (run `npm run setup:native` to retry)');
  } else {
    process.exitCode = 1;
  }
}
