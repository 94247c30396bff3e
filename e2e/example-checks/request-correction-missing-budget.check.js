'use strict';
// examples/request-correction-missing-budget.json reads the dossiers en construction of one groupe of
// the subvention démarche and asks for a correction ("incomplete") on those without the signed
// budget, unless a correction is already pending. The platform decides what was expected: its stored
// champ and its messages. Exactly those dossiers must now carry the workflow's correction request.

const { platformQuery } = require('../lib/checks');
const { storedDossier, champValue } = require('./helpers');

const MESSAGES = `query Messages($number: Int!) {
	dossier(number: $number) { state messages { email body correction { reason dateResolution } } }
}`;
const INSTRUCTEUR = 'julien.petit@demarches-exemple.gouv.fr';
const isOurs = (number) => (m) =>
	m.email === INSTRUCTEUR && m.body.includes(`votre dossier n° ${number} `);

module.exports = async ({ assert, output, platform }) => {
	const listed = output('Dossiers en construction');
	assert.ok(listed.length > 1, `dossiers en construction listed (got ${listed.length})`);
	const asked = [];
	const left = [];
	for (const d of listed) {
		const stored = await storedDossier(platform, d.number);
		assert.equal(
			stored.demarche,
			platform.facts.demarches.subvention,
			`dossier ${d.number}: démarche`,
		);
		const { dossier } = await platformQuery(platform, MESSAGES, { number: d.number });
		const ours = dossier.messages.filter(isOurs(d.number));
		const pendingBefore = dossier.messages.some(
			(m) => !isOurs(d.number)(m) && m.correction && !m.correction.dateResolution,
		);
		const budgetMissing = champValue(stored, 'Budget prévisionnel signé') === null;
		if (budgetMissing && !pendingBefore) {
			asked.push(d.number);
			assert.equal(
				ours.length,
				1,
				`dossier ${d.number} (no signed budget): one correction request`,
			);
			assert.deepEqual(
				ours[0].correction,
				{ reason: 'incomplete', dateResolution: null },
				`dossier ${d.number}: the message is a pending "incomplete" correction`,
			);
			assert.equal(dossier.state, 'en_construction', `dossier ${d.number}: still en construction`);
		} else {
			left.push(d.number);
			assert.equal(
				ours.length,
				0,
				`dossier ${d.number} (budget present or correction pending): no message`,
			);
		}
	}
	// the seed has both kinds in this groupe: both branches of the workflow ran
	assert.ok(asked.length > 0, 'some dossiers lacked the signed budget');
	assert.ok(left.length > 0, 'some dossiers were complete');
	assert.deepEqual(
		output('Request the signed budget').length,
		asked.length,
		'one sent message per incomplete dossier',
	);
};
