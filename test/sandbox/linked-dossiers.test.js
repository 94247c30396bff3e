'use strict';
/**
 * Dossier-link champs (FIDELITY 2.01, 2.02): a link into a démarche outside the token is null
 * plus an `unauthorized` error at the champ's path, the rest of the answer intact; a link to a
 * dossier the administration cannot see (or that no longer exists) is plain null.
 */
const { control, gql, start } = require('./helpers');

let sandbox;
let link;
beforeAll(async () => {
	sandbox = await start({ size: 60 });
	link = sandbox.facts.hiddenLink;
});
afterAll(() => sandbox.stop());

const LINK_SELECTION = `champs { label stringValue ... on DossierLinkChamp { dossier { number state } } }`;
const scoped = () => `Bearer ${sandbox.tokens.scoped}`;

describe('a linked dossier in a démarche outside the token', () => {
	it('is seeded: an occupation dossier linking into the every-champ démarche', () => {
		expect(link).toMatchObject({
			demarche: 1003,
			champ: 'Autorisation précédente',
			token: 'scoped',
		});
		expect(sandbox.facts.scopedTokenDemarches).toContain(link.demarche);
		expect(sandbox.facts.scopedTokenDemarches).not.toContain(1001);
	});

	it('read alone: 200, the dossier whole, the champ’s dossier null with an unauthorized error at its path', async () => {
		const res = await gql(
			sandbox,
			`query { dossier(number: ${link.dossier}) { number state ${LINK_SELECTION} } }`,
			{},
			scoped(),
		);
		expect(res.status).toBe(200);
		const dossier = res.json.data.dossier;
		expect(dossier.number).toBe(link.dossier);
		const index = dossier.champs.findIndex((c) => c.label === link.champ);
		expect(dossier.champs[index]).toEqual({
			label: link.champ,
			stringValue: String(link.linkedDossier),
			dossier: null,
		});
		expect(res.json.errors).toEqual([
			{
				message: 'An object of type Dossier was hidden due to permissions',
				locations: [expect.objectContaining({ line: expect.any(Number) })],
				path: ['dossier', 'champs', index, 'dossier'],
				extensions: { code: 'unauthorized' },
			},
		]);
	});

	it('read in a page: one error per hidden link, with the node’s index in its path; every node served', async () => {
		const res = await gql(
			sandbox,
			`query { demarche(number: ${link.demarche}) { dossiers(first: 100) { nodes { number ${LINK_SELECTION} } } } }`,
			{},
			scoped(),
		);
		expect(res.status).toBe(200);
		const nodes = res.json.data.demarche.dossiers.nodes;
		expect(nodes.every((n) => n !== null)).toBe(true);
		const k = nodes.findIndex((n) => n.number === link.dossier);
		const i = nodes[k].champs.findIndex((c) => c.label === link.champ);
		expect(res.json.errors).toHaveLength(1);
		expect(res.json.errors[0]).toMatchObject({
			path: ['demarche', 'dossiers', 'nodes', k, 'champs', i, 'dossier'],
			extensions: { code: 'unauthorized' },
		});
		// Other links of the démarche point at its own dossiers: served.
		const served = nodes.flatMap((n) => n.champs).filter((c) => c.dossier);
		expect(served.length).toBeGreaterThan(0);
	});

	it('a token that covers both démarches gets the linked dossier, without error', async () => {
		const res = await gql(
			sandbox,
			`query { dossier(number: ${link.dossier}) { ${LINK_SELECTION} } }`,
		);
		expect(res.json.errors).toBeUndefined();
		const champ = res.json.data.dossier.champs.find((c) => c.label === link.champ);
		expect(champ.dossier).toEqual({ number: link.linkedDossier, state: expect.any(String) });
	});
});

describe('a linked dossier the administration cannot see', () => {
	it('a number no dossier has (purged): null, no error', async () => {
		await control(sandbox, 'POST', '/act/update', {
			number: link.dossier,
			values: { [link.champ]: 987654 },
		});
		const res = await gql(
			sandbox,
			`query { dossier(number: ${link.dossier}) { ${LINK_SELECTION} } }`,
			{},
			scoped(),
		);
		expect(res.json.errors).toBeUndefined();
		expect(res.json.data.dossier.champs.find((c) => c.label === link.champ)).toEqual({
			label: link.champ,
			stringValue: '987654',
			dossier: null,
		});
	});
});
