'use strict';
// decide-dossier.json accepts the first two dossiers en instruction of the transport démarche, whose
// only groupe is followed by julien.petit (sandbox/lib/demarches.js). The platform's own state,
// read through the sandbox control API, is the proof.

module.exports = async ({ assert, output, platform }) => {
	const candidates = output('Dossiers en instruction');
	assert.equal(candidates.length, 2, 'two dossiers en instruction to accept');
	for (const d of candidates)
		assert.equal(d.state, 'en_instruction', `dossier ${d.number} was listed as en_instruction`);

	const accepted = output('Accept');
	assert.equal(accepted.length, 2, 'Accept: one item per input dossier');
	for (const [i, d] of candidates.entries()) {
		assert.equal(accepted[i].number, d.number, `Accept item ${i} is dossier ${d.number}`);
		const res = await fetch(`${platform.controlUrl}/dossiers/${d.number}`);
		const onPlatform = await res.json();
		assert.equal(onPlatform.state, 'accepte', `dossier ${d.number} on the platform after Accept`);
	}
};
