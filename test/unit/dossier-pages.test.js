'use strict';
/** dossierPages: what a page with records the platform could not serialise turns into. */
const { dossierPages, describeLostDossier } = require('../../nodes/DemarcheNumerique/output/dossierPages');
const { ALL_DOSSIER_PARTS } = require('../helpers/documents');

function fakeContext(bodies) {
	const sent = [];
	return {
		sent,
		getNode: () => ({ name: 'DN', type: 'x', typeVersion: 1, parameters: {} }),
		getCredentials: async () => ({ baseUrl: 'https://dn.example', token: 'tok-123456' }),
		helpers: {
			httpRequestWithAuthentication: async (_type, options) => {
				sent.push({ operationName: options.body.operationName, variables: options.body.variables });
				return { statusCode: 200, headers: {}, body: bodies.shift() };
			},
		},
	};
}

const invalidNull = (path) => ({ message: 'Cannot return null for non-nullable field Dossier.state', path, extensions: { code: 'invalid_null' } });
const page = (nodes, errors, hasNextPage = false) => ({
	data: { demarche: { id: 'd', number: 1002, dossiers: { pageInfo: { hasNextPage, endCursor: hasNextPage ? 'c1' : null }, nodes } } },
	...(errors ? { errors } : {}),
});

async function collect(ctx, options) {
	const out = [];
	for await (const entries of dossierPages.call(ctx, options)) out.push(entries);
	return out;
}

const options = { scope: { kind: 'demarche', number: 1002 }, filters: { state: 'accepte' }, parts: ALL_DOSSIER_PARTS, limit: 3 };

describe('dossierPages', () => {
	it('names a dossier lost as null from a numbers-only query of the same page, and one damaged inside by its own number', async () => {
		const ctx = fakeContext([
			page([{ number: 11 }, null, { number: 13, usager: null }], [invalidNull(['demarche', 'dossiers', 'nodes', 1, 'state']), invalidNull(['demarche', 'dossiers', 'nodes', 2, 'usager', 'email'])]),
			page([{ number: 11 }, { number: 12 }, { number: 13 }]),
		]);
		const [entries] = await collect(ctx, options);
		expect(entries).toEqual([
			{ dossier: { number: 11 } },
			{ lost: { number: 12, index: 1, errors: [invalidNull(['demarche', 'dossiers', 'nodes', 1, 'state'])] } },
			{ lost: { number: 13, index: 2, errors: [invalidNull(['demarche', 'dossiers', 'nodes', 2, 'usager', 'email'])] } },
		]);
		expect(ctx.sent.map((r) => r.operationName)).toEqual(['GetDemarcheDossiers', 'GetDemarcheDossierNumbers']);
		// the numbers query asks for the same page: same filters, same size, same cursor
		expect(ctx.sent[1].variables).toEqual({ demarche: 1002, state: 'accepte', first: 3 });
		expect(describeLostDossier(entries[1].lost)).toBe('Dossier 12 could not be read from the platform: Cannot return null for non-nullable field Dossier.state');
	});

	it('still reports a lost dossier, by position, when even its number cannot be learnt', async () => {
		const ctx = fakeContext([page([null], [invalidNull(['demarche', 'dossiers', 'nodes', 0, 'state'])]), { errors: [{ message: 'boom', extensions: { code: 'internal_server_error' } }], data: null }]);
		const [entries] = await collect(ctx, { ...options, limit: 1 });
		expect(entries).toEqual([{ lost: { number: null, index: 0, errors: [invalidNull(['demarche', 'dossiers', 'nodes', 0, 'state'])] } }]);
		expect(describeLostDossier(entries[0].lost)).toMatch(/^The dossier at position 1 of its page could not be read/);
	});

	it('asks a timed-out page again, smaller, from the same cursor; fails when even one dossier times out without a cursor', async () => {
		const timeout = { message: 'Timeout on Query.demarche', path: ['demarche', 'dossiers'], extensions: { code: 'timeout' } };
		const bodies = Array.from({ length: 8 }, () => page([{ number: 11 }], [timeout]));
		const ctx = fakeContext(bodies);
		await expect(collect(ctx, { ...options, settings: undefined })).rejects.toThrow(/even with 1 record per page: Timeout on Query.demarche/);
		// 3, then half (1), then the usual retries of the one-record page.
		expect(ctx.sent.map((r) => r.variables.first)).toEqual([3, 1, 1, 1, 1, 1]);
		expect(ctx.sent.every((r) => r.variables.after === undefined)).toBe(true);
	}, 30_000);
});
