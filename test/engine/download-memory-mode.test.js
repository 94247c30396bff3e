'use strict';
/**
 * dossier.downloadFiles with n8n's in-memory binary data mode (`default`, n8n 1.x's default): the
 * node hands n8n a stream it reads with 'data' events; every file ends base64 in the item,
 * byte-exact and verified. The other engine tests run in filesystem mode.
 */
const previousMode = process.env.N8N_DEFAULT_BINARY_DATA_MODE;
process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'default';
afterAll(() => {
	if (previousMode === undefined) delete process.env.N8N_DEFAULT_BINARY_DATA_MODE;
	else process.env.N8N_DEFAULT_BINARY_DATA_MODE = previousMode;
});

const { createHash } = require('crypto');

const { NODE, startReadSandbox, runNode, control, byId } = require('./read-support');

let sb;
beforeAll(async () => {
	sb = await startReadSandbox({ size: 100 });
});
afterAll(async () => {
	await sb?.stop();
});

it('stores a large file and a small one in memory, byte-exact, checksums verified', async () => {
	const { number } = await control(sb, 'POST', '/act/deposit', { demarche: 1003 });
	const files = [
		{ filename: 'grand.pdf', byteSize: 8 * 1024 * 1024 + 5 },
		{ filename: 'petit.pdf', byteSize: 1500 },
	];
	await control(sb, 'POST', '/act/attach', { number, champ: 'Attestation d’assurance', files });
	await control(sb, 'DELETE', '/storage-requests');
	const { run, items, error } = await runNode(sb, {
		resource: 'dossier',
		operation: 'downloadFiles',
		dossier: byId(number),
		sources: ['champs'],
	});
	expect(error).toBeUndefined();
	expect(items.map((i) => i.json.filename)).toEqual(['grand.pdf', 'petit.pdf']);
	const log = await control(sb, 'GET', '/storage-requests');
	items.forEach((item, index) => {
		// in memory: base64 in the item, no id of a stored file
		expect(item.binary.data.id).toBeUndefined();
		const served = log.find((e) => e.path.includes(`/${item.json.filename}?`));
		const expected = sb.sandbox.files.bytes(decodeURIComponent(served.path.split('/')[2]));
		expect(run.binary(NODE, index).equals(expected)).toBe(true);
		expect(item.json.byteSize).toBe(files[index].byteSize);
		expect(item.json.checksum).toBe(createHash('md5').update(expected).digest('base64'));
	});
});
