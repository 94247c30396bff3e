'use strict';
/**
 * `GET /preremplir/<path>/schema` over real HTTP: the public description of a démarche by the path
 * of its public link (FIDELITY.md 9.12), checked against the démarche the GraphQL API describes.
 */
const { control, gql, start } = require('./helpers');

let sandbox;
beforeAll(async () => {
	sandbox = await start({ size: 40 });
});
afterAll(() => sandbox.stop());

const describe_ = (path) => fetch(`${sandbox.url}/preremplir/${path}/schema`, { headers: { Accept: 'application/json' } });

it('answers the descriptor of a published démarche by the path of its demarcheURL, without a token', async () => {
	const res = await gql(sandbox, '{ demarcheDescriptor(demarche: {number: 1002}) { id number title demarcheURL } }');
	const descriptor = res.json.data.demarcheDescriptor;
	const path = descriptor.demarcheURL.split('/commencer/')[1];
	expect(path).toBeTruthy();
	const answer = await describe_(path);
	expect(answer.status).toBe(200);
	const body = await answer.json();
	expect(body).toMatchObject({ id: descriptor.id, number: 1002, title: descriptor.title });
	// find_with_path lower-cases and strips the path.
	const loud = await describe_(encodeURIComponent(` ${path.toUpperCase()} `));
	expect(loud.status).toBe(200);
	expect((await loud.json()).number).toBe(1002);
});

it('finds a test (brouillon) démarche, not a closed or unpublished one, nor an unknown path', async () => {
	const test = await control(sandbox, 'POST', '/act/demarche', { title: 'Démarche en test', state: 'brouillon' });
	const path = `demarche-${test.number}`;
	expect((await (await describe_(path)).json()).number).toBe(test.number);
	for (const state of ['close', 'depubliee']) {
		await control(sandbox, 'POST', `/demarches/${test.number}/settings`, { state });
		const closed = await describe_(path);
		expect([closed.status, await closed.json()]).toEqual([404, { error: `procedure ${path} is not found` }]);
	}
	const unknown = await describe_('nulle-part');
	expect([unknown.status, await unknown.json()]).toEqual([404, { error: 'procedure nulle-part is not found' }]);
});
