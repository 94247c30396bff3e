'use strict';
/**
 * Rules of today's platform that changed after the January 2026 code (FIDELITY 1.08, 1.26, 2.10,
 * 2.13, 5.02, 5.03): SIRET data refreshed later, Champ.updatedAt as the last real edit, unknown
 * persisted query ids, File.byteSize capped at 2^31 − 1, tokens that all expire within a year.
 */
const { control, gql, start } = require('./helpers');

let sandbox;
beforeAll(async () => {
	sandbox = await start({ size: 80 });
});
afterAll(() => sandbox.stop());
afterEach(() => control(sandbox, 'POST', '/clock', { real: true }));

const SIRET_DOSSIER = `query($n: Int!) { dossier(number: $n) { dateDerniereModification dateDerniereModificationChamps
  champs { label updatedAt ... on SiretChamp { etablissement { siret entreprise { etatAdministratif } } } } } }`;
const read = async (number) => (await gql(sandbox, SIRET_DOSSIER, { n: number })).json.data.dossier;
const siretOf = (dossier) => dossier.champs.find((c) => c.label === 'SIRET de l’entreprise');

describe('company (SIRET) data refreshed after the deposit (PR #12620, PR #14013)', () => {
	it('a real change moves dateDerniereModification, the champ’s updatedAt and dateDerniereModificationChamps; a refresh that changes nothing moves nothing', async () => {
		const number = (await gql(sandbox, '{ demarche(number: 1004) { dossiers(first: 1) { nodes { number } } } }')).json.data.demarche.dossiers.nodes[0].number;
		const before = await read(number);
		expect(siretOf(before).etablissement.entreprise.etatAdministratif).toBe('Actif');
		const refreshed = await control(sandbox, 'POST', '/act/refresh-etablissement', { number, etatAdministratif: 'Ferme', at: '2026-03-02T10:00:00Z' });
		expect(refreshed.changed).toHaveLength(1);
		const after = await read(number);
		expect(siretOf(after).etablissement.entreprise.etatAdministratif).toBe('Ferme');
		expect(after.dateDerniereModification).toBe('2026-03-02T11:00:00+01:00');
		expect(after.dateDerniereModificationChamps).toBe('2026-03-02T11:00:00+01:00');
		expect(siretOf(after).updatedAt).toBe('2026-03-02T11:00:00+01:00');
		// Other champs keep their own dates.
		expect(after.champs.filter((c) => c.label !== 'SIRET de l’entreprise').map((c) => c.updatedAt)).toEqual(
			before.champs.filter((c) => c.label !== 'SIRET de l’entreprise').map((c) => c.updatedAt),
		);
		// A poller on updatedSince sees it.
		const since = await gql(sandbox, 'query { demarche(number: 1004) { dossiers(updatedSince: "2026-03-02T10:00:00Z") { nodes { number } } } }');
		expect(since.json.data.demarche.dossiers.nodes.map((n) => n.number)).toEqual([number]);
		const again = await control(sandbox, 'POST', '/act/refresh-etablissement', { number, etatAdministratif: 'Ferme', at: '2026-03-03T10:00:00Z' });
		expect(again.changed).toEqual([]);
		expect(await read(number)).toEqual(after);
	});
});

describe('Champ.updatedAt is the last real edit (value_updated_at, PR #14013)', () => {
	it('writing the same value again leaves it; another value moves it', async () => {
		const number = (await gql(sandbox, '{ demarche(number: 1005) { dossiers(first: 1) { nodes { number } } } }')).json.data.demarche.dossiers.nodes[0].number;
		const champ = async () =>
			(await gql(sandbox, `{ dossier(number: ${number}) { champs { label stringValue updatedAt } } }`)).json.data.dossier.champs.find((c) => c.label === 'Nom de l’élève');
		const before = await champ();
		await control(sandbox, 'POST', '/act/update', { number, values: { 'Nom de l’élève': before.stringValue }, at: '2026-03-04T10:00:00Z' });
		expect(await champ()).toEqual(before);
		await control(sandbox, 'POST', '/act/update', { number, values: { 'Nom de l’élève': 'Durand' }, at: '2026-03-05T10:00:00Z' });
		expect(await champ()).toEqual({ label: 'Nom de l’élève', stringValue: 'Durand', updatedAt: '2026-03-05T11:00:00+01:00' });
	});
});

describe('persisted query ids (PR #13527)', () => {
	const post = async (body, token = sandbox.tokens.admin) => {
		const headers = { 'Content-Type': 'application/json' };
		if (token) headers.Authorization = `Bearer ${token}`;
		const response = await fetch(sandbox.graphqlUrl, { method: 'POST', headers, body: JSON.stringify(body) });
		return { status: response.status, json: await response.json() };
	};

	it('an unknown id is a 400 bad_request, with a token or without', async () => {
		for (const token of [sandbox.tokens.admin, null]) {
			expect(await post({ queryId: 'nope' }, token)).toEqual({
				status: 400,
				json: { errors: [{ message: 'No query with id "nope"', extensions: { code: 'bad_request' } }], data: null },
			});
		}
	});

	it('the stored introspection query runs', async () => {
		const res = await post({ queryId: 'introspection' });
		expect(res.status).toBe(200);
		expect(res.json.data.__schema.queryType.name).toBe('Query');
	});
});

describe('File.byteSize (Int!) capped at 2^31 − 1 (PR #13527); byteSizeBigInt exact', () => {
	it('a file of 3 GiB', async () => {
		const number = (await gql(sandbox, '{ demarche(number: 1002) { dossiers(first: 1) { nodes { number } } } }')).json.data.demarche.dossiers.nodes[0].number;
		const message = await control(sandbox, 'POST', '/act/message', {
			number,
			body: 'Voici la vidéo',
			attachment: { filename: 'video.mp4', contentType: 'video/mp4', byteSize: 3 * 2 ** 30 },
		});
		const res = await gql(sandbox, `{ dossier(number: ${number}) { messages { id attachments { filename byteSize byteSizeBigInt } } } }`);
		expect(res.json.errors).toBeUndefined();
		const served = res.json.data.dossier.messages.find((m) => m.id === message.id);
		expect(served.attachments).toEqual([{ filename: 'video.mp4', byteSize: 2147483647, byteSizeBigInt: '3221225472' }]);
	});
});

describe('tokens (PRs #13777, #13798)', () => {
	it('every token expires within 365 days (+ the rest of that day) of its creation, and is refused after', async () => {
		const expiresAt = Date.parse(sandbox.facts.tokenExpiresAt);
		const startedAt = Date.now();
		expect(expiresAt - startedAt).toBeLessThanOrEqual(366 * 86400000);
		expect(expiresAt - startedAt).toBeGreaterThan(364 * 86400000);
		const query = '{ demarche(number: 1002) { number } }';
		expect((await gql(sandbox, query)).status).toBe(200);
		await control(sandbox, 'POST', '/clock', { set: new Date(expiresAt + 1000).toISOString() });
		for (const token of ['admin', 'readOnly', 'scoped']) {
			const res = await gql(sandbox, query, {}, `Bearer ${sandbox.tokens[token]}`);
			expect(res.status).toBe(401);
			expect(res.json.errors[0]).toMatchObject({ message: 'Token expired', extensions: { code: 'unauthorized' } });
		}
	});
});
