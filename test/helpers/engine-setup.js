'use strict';
/**
 * One-time set-up of n8n-core's process-wide singletons for the engine harness.
 *
 * n8n-core reads its configuration from the environment when a service is first built, so the
 * variables below are set before anything asks the DI container for a service. Jest gives every
 * test file its own module registry, hence its own container: the set-up runs once per test file,
 * and every test in that file shares it.
 */
const { mkdtempSync, rmSync } = require('fs');
const { tmpdir } = require('os');
const path = require('path');

// A throwaway n8n user folder: InstanceSettings writes its settings file (encryption key) there
// and the filesystem binary-data manager stores files under it.
const engineUserFolder = mkdtempSync(path.join(tmpdir(), 'dn-engine-'));
process.env.N8N_USER_FOLDER = engineUserFolder;
// Filesystem mode (n8n's choice for production) rather than in-memory base64: a node that reads
// `binary.data` directly instead of calling getBinaryDataBuffer() fails here as it would there.
// Run with N8N_DEFAULT_BINARY_DATA_MODE=default to exercise the in-memory mode instead.
process.env.N8N_DEFAULT_BINARY_DATA_MODE ??= 'filesystem';
process.env.N8N_AVAILABLE_BINARY_DATA_MODES ??= 'filesystem';
process.env.N8N_LOG_LEVEL ??= 'error';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
process.env.GENERIC_TIMEZONE ??= 'Europe/Paris';

/** Stops what n8n-core started for this test file and removes its folder. */
function shutdownEngine() {
	// Built by every node context (SSH tunnel helpers), it keeps a one-minute interval alive.
	const { SSHClientsManager } = require('n8n-core/dist/execution-engine/ssh-clients-manager');
	if (Container.has(SSHClientsManager)) Container.get(SSHClientsManager).onShutdown();
	rmSync(engineUserFolder, { recursive: true, force: true });
}
if (typeof afterAll === 'function') afterAll(shutdownEngine);
else process.once('exit', shutdownEngine);

// Required only once the environment above is in place. n8n-core ships its own @n8n/di (older
// than the top-level one): its services live in that container, so that is the one to ask.
const { BinaryDataService } = require('n8n-core');
const { Container } = require(require.resolve('@n8n/di', { paths: [require.resolve('n8n-core')] }));

let ready;

/** Initialises the binary-data service once; every harness entry point awaits this. */
async function ensureEngine() {
	ready ??= Container.get(BinaryDataService).init();
	await ready;
}

module.exports = { Container, ensureEngine, engineUserFolder };
