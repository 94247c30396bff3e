'use strict';
// The demo (`npm start`, also what the browser check drives): the sandbox with demo data, a pinned
// real n8n with our package installed, a credential pointing at the sandbox, the example workflows
// imported and an owner account ready to log in.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { N8N_VERSIONS, cacheRoot } = require('./install');
const { N8nInstance } = require('./n8n');
const { packPackage, installPackage, repoRoot } = require('./package');
const { startPlatform } = require('./platform');
const { freePort } = require('./ports');
const wf = require('./workflows');
const { makeLogger } = require('./log');

const log = makeLogger('demo');
const DEMO_CREDENTIAL = { id: 'dnDemoSandboxCrd', name: 'Démarche Numérique (sandbox demo)' };
const DEMO_OWNER = {
	email: 'demo@example.com',
	password: 'Demo-password-1',
	firstName: 'Demo',
	lastName: 'User',
};

function hasExamples() {
	const dir = path.join(repoRoot, 'examples');
	return fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.endsWith('.json'));
}

function ensurePortFree(port, what) {
	return new Promise((resolve, reject) => {
		const srv = require('node:net').createServer();
		srv.once('error', (e) =>
			reject(
				new Error(
					e.code === 'EADDRINUSE'
						? `port ${port} (${what}) is already in use: stop whatever listens there (another \`npm start\`?) and retry`
						: e.message,
				),
			),
		);
		srv.listen(port, '127.0.0.1', () => srv.close(resolve));
	});
}

/** The demo folder's encryption key, created the first time: what n8n stored there stays readable across restarts. */
function demoEncryptionKey(dir) {
	const keyFile = path.join(dir, 'encryption-key');
	if (!fs.existsSync(keyFile))
		fs.writeFileSync(keyFile, crypto.randomBytes(24).toString('hex'), { mode: 0o600 });
	return fs.readFileSync(keyFile, 'utf8').trim();
}

/** Packs the package and starts the sandbox on the demo's ports. */
async function packAndStartSandbox({ sandboxPort, storagePort }) {
	log('building and packing the package');
	const pack = await packPackage();
	log(`starting the sandbox on 127.0.0.1:${sandboxPort}`);
	const platform = await startPlatform({ port: sandboxPort, storagePort });
	return { pack, platform };
}

/**
 * Starts everything. Options: version (n8n, default the pinned 2.x), n8nPort (5678), sandboxPort (8787),
 * storagePort (8788), userFolder (default: a persistent folder in the cache, so a restart keeps what
 * the user did), fresh (wipe that folder first), includeE2e (also import e2e/workflows; default: only
 * when examples/ has none, so the demo always has something to run).
 * Resolves {n8n, platform, url, owner, workflows, stop()}.
 */
async function startDemo({
	version = N8N_VERSIONS.v2,
	n8nPort = 5678,
	sandboxPort = 8787,
	storagePort = 8788,
	userFolder = path.join(cacheRoot(), `demo-${version}`),
	fresh = false,
	includeE2e = undefined,
} = {}) {
	await ensurePortFree(n8nPort, 'n8n');
	await ensurePortFree(sandboxPort, 'sandbox');
	await ensurePortFree(storagePort, 'sandbox file storage');
	if (fresh) fs.rmSync(userFolder, { recursive: true, force: true });
	fs.mkdirSync(userFolder, { recursive: true });

	const { pack, platform } = await packAndStartSandbox({ sandboxPort, storagePort });
	let n8n = null;
	const stop = async () => {
		if (n8n) await n8n.stopServer();
		await platform.stop();
	};
	try {
		n8n = await N8nInstance.create({
			version,
			userFolder,
			port: n8nPort,
			brokerPort: await freePort(),
			encryptionKey: demoEncryptionKey(userFolder),
			logDir: path.join(userFolder, 'logs'),
		});
		log(`installing the package into ${userFolder}/.n8n/nodes`);
		await installPackage(userFolder, pack.tarball);
		await n8n.importCredentials([
			{
				...DEMO_CREDENTIAL,
				type: wf.CREDENTIAL_TYPE,
				data: { baseUrl: platform.url, token: platform.tokens.admin },
			},
		]);
		const workflows = wf.loadWorkflows({
			vars: wf.templateVars(platform, DEMO_CREDENTIAL),
			credential: DEMO_CREDENTIAL,
			includeE2e: includeE2e === undefined ? !hasExamples() : includeE2e,
		});
		if (workflows.length) await n8n.importWorkflows(workflows.map((w) => w.workflow));
		log(`imported ${workflows.length} workflow(s)`);
		await n8n.startServer();
		await ensureOwner(n8n, path.join(userFolder, 'owner.json'));
		return { n8n, platform, url: n8n.url, owner: n8n.owner, workflows, pack, stop };
	} catch (e) {
		await stop();
		throw e;
	}
}

/** Logs in as the demo owner, creating the account the first time (kept in ownerFile). */
async function ensureOwner(n8n, ownerFile) {
	if (fs.existsSync(ownerFile)) {
		n8n.owner = JSON.parse(fs.readFileSync(ownerFile, 'utf8'));
		await n8n.login();
	} else {
		await n8n.setupOwner(DEMO_OWNER);
		fs.writeFileSync(ownerFile, JSON.stringify(n8n.owner, null, 2), { mode: 0o600 });
	}
}

/**
 * The demo in n8n's queue mode (`npm start -- --queue`): PostgreSQL and Redis, a main (editor,
 * triggers), two workers (executions) and a webhook processor (production webhooks), the package
 * installed on each, the demo credential and examples imported once into the shared database. State
 * (database, encryption key, owner) is kept in the cache folder between starts; `fresh` wipes it.
 * Options as startDemo, plus webhookPort (n8nPort + 2). Resolves {cluster, n8n (the main's
 * instance), platform, url, owner, workflows, stop()}.
 */
async function startQueueDemo({
	version = N8N_VERSIONS.v2,
	n8nPort = 5678,
	webhookPort = n8nPort + 2,
	sandboxPort = 8787,
	storagePort = 8788,
	root = path.join(cacheRoot(), `demo-queue-${version}`),
	fresh = false,
} = {}) {
	const { QueueCluster } = require('./queue');
	const { postgresLocation } = require('./services');
	await ensurePortFree(n8nPort, 'n8n main');
	await ensurePortFree(webhookPort, 'n8n webhook processor');
	await ensurePortFree(sandboxPort, 'sandbox');
	await ensurePortFree(storagePort, 'sandbox file storage');
	const postgresDir = path.join(root, 'postgres');
	if (fresh) {
		fs.rmSync(root, { recursive: true, force: true });
		fs.rmSync(postgresLocation(postgresDir), { recursive: true, force: true });
	}
	fs.mkdirSync(root, { recursive: true });
	const { pack, platform } = await packAndStartSandbox({ sandboxPort, storagePort });
	let cluster = null;
	const stop = async () => {
		if (cluster) await cluster.dispose({ keep: true });
		await platform.stop();
	};
	try {
		// as root, PostgreSQL (run as the postgres account) cannot reach the cache under /root: a stable
		// folder in the temp dir is used instead (startPostgres says so); --fresh forgets it too
		cluster = await QueueCluster.create({
			version,
			root,
			tarball: pack.tarball,
			encryptionKey: demoEncryptionKey(root),
			postgresDir,
			ports: { main: n8nPort, webhook: webhookPort },
			log,
		});
		const credentialsFile = writeJson(root, 'credentials', [
			{
				...DEMO_CREDENTIAL,
				type: wf.CREDENTIAL_TYPE,
				data: { baseUrl: platform.url, token: platform.tokens.admin },
			},
		]);
		await cluster.cli(['import:credentials', `--input=${credentialsFile}`]);
		fs.rmSync(credentialsFile);
		const workflows = wf.loadWorkflows({
			vars: wf.templateVars(platform, DEMO_CREDENTIAL),
			credential: DEMO_CREDENTIAL,
			includeE2e: !hasExamples(),
		});
		if (workflows.length)
			await cluster.cli([
				'import:workflow',
				`--input=${writeJson(
					root,
					'workflows',
					workflows.map((w) => ({ active: false, ...w.workflow })),
				)}`,
			]);
		log(`imported ${workflows.length} workflow(s) into PostgreSQL`);
		await cluster.startAll();
		const n8n = cluster.main.instance;
		await ensureOwner(n8n, path.join(root, 'owner.json'));
		return { cluster, n8n, platform, url: n8n.url, owner: n8n.owner, workflows, pack, stop };
	} catch (e) {
		await stop();
		throw e;
	}
}

/** Writes data to <dir>/<name>.json (for an n8n import command) and returns the path. */
function writeJson(dir, name, data) {
	const file = path.join(dir, `${name}.json`);
	fs.writeFileSync(file, JSON.stringify(data, null, 2), { mode: 0o600 });
	return file;
}

module.exports = { startDemo, startQueueDemo, DEMO_CREDENTIAL, DEMO_OWNER };
