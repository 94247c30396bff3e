#!/usr/bin/env node
'use strict';
// Browser check (`npm run test:browser`): starts the demo (sandbox + real n8n with the package, on
// free ports, in a throwaway user folder), then Debian's chromium driven by playwright-core logs in
// as the demo owner, finds our node in the nodes panel, opens a demo workflow, runs it and sees its
// output. Screenshots go to test-output/browser/ (paths printed). Ends with `N passed, M failed`.
//
// Env: E2E_BROWSER_N8N_VERSION (default the pinned 2.x), CHROMIUM (default /usr/bin/chromium),
// E2E_KEEP=1 (keep the n8n folder), E2E_BROWSER_WORKFLOW (workflow key to run, default
// example/new-dossiers-to-spreadsheet, else e2e/read-dossiers).
//
// Then Update Annotations (node version 2, n8n's resource mapper): a workflow with the dossier and
// instructeur set is created through n8n's REST API; in the editor the check picks the démarche,
// sees its annotation columns with their types, fills two, runs the workflow, and reads both values
// back from the sandbox's GraphQL API.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');
const { chromium } = require('playwright-core');
const { startDemo, DEMO_CREDENTIAL } = require('./lib/demo');
const { bindCredential } = require('./lib/workflows');
const { freePorts } = require('./lib/ports');
const { N8N_VERSIONS } = require('./lib/install');
const { repoRoot } = require('./lib/package');
const { Reporter } = require('./lib/reporter');

const reporter = new Reporter('browser');
const log = reporter.log;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(repoRoot, 'test-output', 'browser');
const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

async function screenshot(page, name) {
	const file = path.join(SHOTS, `${name}.png`);
	await page.screenshot({ path: file, fullPage: false });
	log(`screenshot: ${file}`);
	return file;
}

/** The first locator among candidates that becomes visible (n8n renames test ids between versions). */
async function firstVisible(page, selectors, { timeout = 30000 } = {}) {
	const deadline = Date.now() + timeout;
	while (Date.now() < deadline) {
		for (const s of selectors) {
			const loc = page.locator(s).first();
			if (await loc.isVisible().catch(() => false)) return loc;
		}
		await page.waitForTimeout(250);
	}
	throw new Error(
		`none of these became visible within ${timeout / 1000}s: ${selectors.join(' | ')}`,
	);
}

async function login(page, demo) {
	await page.goto(`${demo.url}/signin`);
	const email = await firstVisible(page, [
		'input[name="emailOrLdapLoginId"]',
		'input[name="email"]',
		'input[type="email"]',
	]);
	await email.fill(demo.owner.email);
	await page.locator('input[name="password"]').fill(demo.owner.password);
	await (
		await firstVisible(page, ['[data-test-id="form-submit-button"]', 'button[type="submit"]'])
	).click();
	await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 30000 });
	await dismissPopups(page);
}

/** Closes what a first login may show over the canvas (surveys, tours, banners). */
async function dismissPopups(page) {
	await page.keyboard.press('Escape').catch(() => {});
	for (const s of [
		'[data-test-id="personalization-form"] button',
		'button:has-text("Skip")',
		'button:has-text("Get started")',
	]) {
		const loc = page.locator(s).first();
		if (await loc.isVisible().catch(() => false)) await loc.click().catch(() => {});
	}
}

async function findNodeInPanel(page, demo) {
	await page.goto(`${demo.url}/workflow/new`);
	await dismissPopups(page);
	const opener = await firstVisible(page, [
		'[data-test-id="canvas-add-button"]',
		'[data-test-id="canvas-plus-button"]',
		'button:has-text("Add first step")',
	]);
	await opener.click();
	const search = await firstVisible(page, [
		'[data-test-id="node-creator-search-bar"] input',
		'[data-test-id="node-creator-search-bar"]',
		'input[placeholder*="Search"]',
	]);
	await search.fill('Démarche');
	const item = await firstVisible(
		page,
		[
			'[data-test-id="node-creator-item-name"]:has-text("Démarche Numérique")',
			'text=Démarche Numérique',
		],
		{ timeout: 20000 },
	);
	const shot = await screenshot(page, '1-nodes-panel');
	assert.ok(await item.isVisible(), 'our node is listed in the nodes panel');
	return shot;
}

async function runWorkflow(page, demo, workflow) {
	await page.goto(`${demo.url}/workflow/${workflow.id}`);
	await dismissPopups(page);
	const run = await firstVisible(page, [
		'[data-test-id="execute-workflow-button"]',
		'button:has-text("Execute workflow")',
		'button:has-text("Test workflow")',
	]);
	await run.click();
	// the canvas shows the number of items each node output once the run is over
	const nodeNames = workflow.nodes
		.filter((n) => n.type.startsWith('n8n-nodes-demarche-numerique.'))
		.map((n) => n.name);
	await firstVisible(page, ['text=/\\d+ items?/'], { timeout: 90000 });
	await page.waitForTimeout(1000);
	const canvasShot = await screenshot(page, '2-workflow-executed');
	const errorBadge = page
		.locator('[data-test-id="canvas-node-status-error"], .node-error-icon')
		.first();
	assert.ok(
		!(await errorBadge.isVisible().catch(() => false)),
		'a node of the workflow shows an error',
	);

	// open the node that lists dossiers and read its output panel
	const target = nodeNames.find((n) => /list/i.test(n)) || nodeNames[0];
	const node = page.locator('[data-test-id="canvas-node"]').filter({ hasText: target }).first();
	if (!(await node.isVisible().catch(() => false))) {
		const ids = await page.$$eval('[data-test-id]', (els) =>
			[...new Set(els.map((e) => e.getAttribute('data-test-id')))].join(' '),
		);
		throw new Error(`node "${target}" not found on the canvas; test ids present: ${ids}`);
	}
	await node.dblclick();
	const output = await firstVisible(
		page,
		['[data-test-id="output-panel"]', '[data-test-id="ndv-output-panel"]', '.ndv-output'],
		{ timeout: 20000 },
	);
	// the table renders after the panel appears: read it until it shows dossier numbers
	const first = demo.platform.facts.firstDossierNumber;
	const dossierNumbers = (text) =>
		(text.match(/\b\d{4,}\b/g) || []).map(Number).filter((n) => n >= first);
	let text = '';
	for (let i = 0; i < 40 && !dossierNumbers(text).length; i++) {
		if (i) await page.waitForTimeout(500);
		text = await output.innerText();
	}
	const ndvShot = await screenshot(page, '3-node-output');
	assert.match(text, /\d+ items?/, `the output panel of "${target}" shows items`);
	assert.ok(
		dossierNumbers(text).length > 0,
		`the output panel of "${target}" shows sandbox dossier numbers (>= ${first}); it shows: ${text.slice(0, 300)}`,
	);
	return { canvasShot, ndvShot, target };
}

const EVERY_CHAMP = 1001; // the seed's démarche with every annotation type
const CLAIRE = 'claire.martin@demarches-exemple.gouv.fr'; // instructeur of the showcase dossier

/** A Manual Trigger and Update Annotations (version 2) on the showcase dossier, démarche left to pick. */
function annotationsWorkflow(dossierNumber) {
	return bindCredential(
		{
			name: 'Browser check: update annotations',
			nodes: [
				{ id: 'b0000000-0000-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: 'b0000000-0000-4000-8000-000000000002',
					name: 'Update annotations',
					type: 'n8n-nodes-demarche-numerique.demarcheNumerique',
					typeVersion: 2,
					position: [260, 0],
					parameters: {
						resource: 'dossier',
						operation: 'updateAnnotations',
						dossier: { __rl: true, mode: 'id', value: String(dossierNumber) },
						instructeur: { __rl: true, mode: 'email', value: CLAIRE },
					},
				},
			],
			connections: { Start: { main: [[{ node: 'Update annotations', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
			active: false,
		},
		DEMO_CREDENTIAL,
	);
}

/** The annotations of a dossier as the sandbox serves them: label → stringValue. */
async function annotationsOnSandbox(platform, number) {
	const response = await fetch(`${platform.url}/api/v2/graphql`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${platform.tokens.admin}` },
		body: JSON.stringify({ query: 'query($n: Int!) { dossier(number: $n) { annotations { label stringValue } } }', variables: { n: number } }),
	});
	const body = await response.json();
	if (body.errors) throw new Error(`sandbox GraphQL: ${JSON.stringify(body.errors)}`);
	return Object.fromEntries(body.data.dossier.annotations.map((a) => [a.label, a.stringValue]));
}

/** The resource mapper row of a column, by the start of its label. */
function columnRow(page, label) {
	return page.locator('[data-test-id="mapping-fields-container"] .parameter-item').filter({ hasText: label }).first();
}

async function updateAnnotations(page, demo) {
	const number = demo.platform.facts.everyChampDossier;
	const created = await demo.n8n.rest('POST', '/rest/workflows', annotationsWorkflow(number));
	const id = created.body && created.body.data && created.body.data.id;
	assert.ok(id, `n8n created the workflow (HTTP ${created.status} ${JSON.stringify(created.body).slice(0, 300)})`);
	await page.goto(`${demo.url}/workflow/${id}`);
	await dismissPopups(page);
	// n8n's resource mapper asks for its columns when the panel opens (no démarche yet: refused), then
	// sets an empty value. A démarche typed before that answer races it: n8n then takes the value
	// for one the user chose and shows every column, yes/no ones included. Wait for it, as a user
	// who picks the démarche after the panel has settled.
	const firstColumns = page
		.waitForResponse((response) => response.url().includes('/dynamic-node-parameters/resource-mapper-fields'), { timeout: 15000 })
		.catch(() => undefined);
	await page.locator('[data-test-id="canvas-node"]').filter({ hasText: 'Update annotations' }).first().dblclick();
	await firstColumns;
	await page.waitForTimeout(500);

	// Pick the démarche: its annotations become the columns.
	// The resource locator's text input (the first input is its mode selector).
	const demarche = await firstVisible(page, [
		'[data-test-id="parameter-input-demarche"] input[placeholder="e.g. 12345"]',
		'[data-test-id="parameter-input-demarche"] input:not([readonly])',
	]);
	await demarche.click();
	await demarche.fill(String(EVERY_CHAMP));
	// Leave the input (Tab would open the next drop-down) so the columns load.
	await page.getByText('Parameters', { exact: true }).first().click();
	const container = await firstVisible(page, ['[data-test-id="mapping-fields-container"]'], { timeout: 30000 });
	await firstVisible(page, ['[data-test-id="mapping-fields-container"] .parameter-item'], { timeout: 30000 });
	const text = await container.innerText();
	for (const label of ['Note interne', 'Score', 'Priorité', 'Services consultés', 'Rendez-vous', 'Téléphone du référent', 'Contrôles (rows:']) {
		assert.ok(text.includes(label), `the columns show "${label}"; they show: ${text.slice(0, 400)}`);
	}
	// Typed inputs: a number input for Score, a drop-down for Priorité, a date picker for Rendez-vous.
	const html = async (label) => (await columnRow(page, label).innerHTML()).replace(/\s+/g, ' ');
	const typed = [
		['Score', /input-?number|type="number"|inputmode="(decimal|numeric)"/i, 'a number input'],
		['Priorité', /select/i, 'a drop-down'],
		['Rendez-vous', /date/i, 'a date picker'],
	];
	for (const [label, pattern, what] of typed) {
		const inner = await html(label);
		assert.match(inner, pattern, `"${label}" has ${what}; its HTML: ${inner.slice(0, 700)}`);
	}
	// Yes/no columns wait under "Add annotation" (a switch left off would write false).
	assert.ok(!text.includes('Pièces vérifiées'), 'the checkbox column "Pièces vérifiées" is not shown until added');
	// A tall window for the screenshot, so that it shows most of the columns.
	await page.setViewportSize({ width: 1440, height: 2400 });
	await page.waitForTimeout(500);
	await page.getByText('Annotations to Write').first().evaluate((e) => e.scrollIntoView({ block: 'start' }));
	await page.waitForTimeout(300);
	const columnsShot = await screenshot(page, '4-annotation-columns');
	await page.setViewportSize({ width: 1440, height: 900 });
	await page.waitForTimeout(300);

	// Fill two columns.
	const note = `Vu dans le navigateur ${Date.now()}`;
	const noteInput = columnRow(page, 'Note interne').locator('input, textarea').first();
	await noteInput.click();
	await noteInput.fill(note);
	const scoreInput = columnRow(page, 'Score').locator('input').first();
	await scoreInput.click();
	await scoreInput.fill('18');
	// Leave the input (the value is committed on blur) by clicking the columns' title.
	await page.getByText('Annotations to Write').first().click();
	await page.waitForTimeout(1000);
	const filledShot = await screenshot(page, '5-annotation-columns-filled');

	// Run: the node's "Execute step" runs the trigger before it, then the node.
	const run = await firstVisible(page, ['[data-test-id="node-execute-button"]', 'button:has-text("Execute step")', 'button:has-text("Test step")']);
	await run.click();
	let values = {};
	for (let i = 0; i < 60 && !(values['Note interne'] === note && values.Score === '18'); i++) {
		await page.waitForTimeout(1000);
		values = await annotationsOnSandbox(demo.platform, number);
	}
	const runShot = await screenshot(page, '6-annotations-run');
	assert.equal(values['Note interne'], note, 'the sandbox has the "Note interne" typed in the browser');
	assert.equal(values.Score, '18', 'the sandbox has the "Score" typed in the browser');
	return { columnsShot, filledShot, runShot };
}

async function main() {
	fs.mkdirSync(SHOTS, { recursive: true });
	if (!fs.existsSync(CHROMIUM)) {
		log.error(`${CHROMIUM} not found: apt-get update && apt-get install -y chromium`);
		console.log('0 passed, 1 failed');
		process.exit(1);
	}
	const [n8nPort, sandboxPort, storagePort] = await freePorts(3);
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-browser-'));
	const demo = await reporter.check('start the demo (sandbox + n8n with the package)', () =>
		startDemo({
			version: process.env.E2E_BROWSER_N8N_VERSION || N8N_VERSIONS.v2,
			n8nPort,
			sandboxPort,
			storagePort,
			userFolder,
			includeE2e: true,
		}),
	);
	if (!demo) process.exit(reporter.finish());
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
	let context;
	try {
		context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM,
			headless: true,
			args: CHROMIUM_FLAGS,
			viewport: { width: 1440, height: 900 },
		});
		const page = context.pages()[0] || (await context.newPage());
		page.setDefaultTimeout(30000);
		const loggedIn = await reporter.check('log in as the demo owner', async () => {
			await login(page, demo);
			return true;
		});
		if (loggedIn) {
			await reporter.check('find "Démarche Numérique" in the nodes panel', () =>
				findNodeInPanel(page, demo),
			);
			// the demo a newcomer would open first: the spreadsheet example (manual), else the e2e read workflow
			const keys = process.env.E2E_BROWSER_WORKFLOW
				? [process.env.E2E_BROWSER_WORKFLOW]
				: ['example/new-dossiers-to-spreadsheet', 'e2e/read-dossiers'];
			const chosen = keys.map((k) => demo.workflows.find((w) => w.key === k)).find(Boolean);
			if (!chosen) reporter.skip('run a demo workflow and see its output', 'no workflow imported');
			else
				await reporter.check(`run "${chosen.workflow.name}" and see its output`, () =>
					runWorkflow(page, demo, chosen.workflow),
				);
			await reporter.check(
				'Update Annotations: pick a démarche, see its typed annotation columns, fill two, run, find both on the sandbox',
				() => updateAnnotations(page, demo),
			);
		}
		await screenshot(page, '9-last-state').catch(() => {});
	} finally {
		if (context) await context.close().catch(() => {});
		await demo.stop();
		fs.rmSync(profile, { recursive: true, force: true });
		if (!process.env.E2E_KEEP) fs.rmSync(userFolder, { recursive: true, force: true });
	}
	log(`screenshots in ${SHOTS}`);
	process.exit(reporter.finish());
}

main().catch((e) => {
	log.error(e.stack || e.message);
	console.log(`${reporter.passed.length} passed, ${reporter.failed.length + 1} failed`);
	process.exit(1);
});
