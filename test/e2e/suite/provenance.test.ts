// buildkitLens.build.provenance: what `docker build` adds by default on the containerd store, off
// when the setting says so, and one line where the classic store cannot attach attestations.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { BuildTicket } from '../../../src/extension/commands';
import type { BuildResult } from '../../../src/buildkit/types';
import { api, engineNamed, testEngineHost, useTestEngine, writeFile } from './helpers';

const d26c = engineNamed('d26c');
const d20 = engineNamed('d20');

/** The media type of the image the build put in the store: an index when an attestation is beside it. */
function storedMediaType(r: BuildResult): string {
  const desc = r.exporterResponse['containerimage.descriptor'];
  assert.ok(desc, `no descriptor in ${JSON.stringify(r.exporterResponse)}`);
  return (JSON.parse(Buffer.from(desc, 'base64').toString('utf8')) as { mediaType: string }).mediaType;
}

suite('provenance setting', function () {
  const settings = () => vscode.workspace.getConfiguration('buildkitLens');
  const build = async (uri: vscode.Uri) => (await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri)).done;
  suiteSetup(async function () {
    if (!d26c) return this.skip();
    await api();
  });
  suiteTeardown(async () => {
    await settings().update('build.provenance', undefined, vscode.ConfigurationTarget.Workspace);
    const first = testEngineHost();
    if (first) await useTestEngine(first);
  });

  test('default: an index with the provenance on the containerd store, as docker build; off: a plain manifest', async () => {
    const uri = writeFile('provenance/Dockerfile', 'FROM busybox:latest\nRUN echo attested > /a\n');
    await useTestEngine(d26c!);
    const byDefault = await build(uri);
    assert.equal(byDefault.ok, true, byDefault.error?.message);
    assert.match(storedMediaType(byDefault), /image\.index/);
    await settings().update('build.provenance', 'off', vscode.ConfigurationTarget.Workspace);
    const off = await build(uri);
    assert.equal(off.ok, true, off.error?.message);
    // a single image manifest (the store writes it with Docker's media type)
    assert.match(storedMediaType(off), /\.manifest\.v\d\+json$/);
  });

  test('min or max on the classic store: one line saying it needs the containerd store', async function () {
    if (!d20) return this.skip();
    const uri = writeFile('provenance-classic/Dockerfile', 'FROM busybox:latest\n');
    await settings().update('build.provenance', 'max', vscode.ConfigurationTarget.Workspace);
    await useTestEngine(d20);
    const r = await build(uri);
    assert.equal(r.ok, false);
    assert.match(r.error!.message, /^attestations \(provenance, SBOM\) need the containerd image store/);
  });
});
