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

	log('building and packing the package');
	const pack = await packPackage();
	log(`starting the sandbox on 127.0.0.1:${sandboxPort}`);
	const platform = await startPlatform({ port: sandboxPort, storagePort });
	let n8n = null;
	const stop = async () => {
		if (n8n) await n8n.stopServer();
		await platform.stop();
	};
	try {
		// a stable key per demo folder: the credentials stored there stay readable across restarts
		const keyFile = path.join(userFolder, 'encryption-key');
		if (!fs.existsSync(keyFile))
			fs.writeFileSync(keyFile, crypto.randomBytes(24).toString('hex'), { mode: 0o600 });
		n8n = await N8nInstance.create({
			version,
			userFolder,
			port: n8nPort,
			brokerPort: await freePort(),
			encryptionKey: fs.readFileSync(keyFile, 'utf8').trim(),
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
		const ownerFile = path.join(userFolder, 'owner.json');
		if (fs.existsSync(ownerFile)) {
			n8n.owner = JSON.parse(fs.readFileSync(ownerFile, 'utf8'));
			await n8n.login();
		} else {
			await n8n.setupOwner(DEMO_OWNER);
			fs.writeFileSync(ownerFile, JSON.stringify(n8n.owner, null, 2), { mode: 0o600 });
		}
		return { n8n, platform, url: n8n.url, owner: n8n.owner, workflows, pack, stop };
	} catch (e) {
		await stop();
		throw e;
	}
}

module.exports = { startDemo, DEMO_CREDENTIAL, DEMO_OWNER };
