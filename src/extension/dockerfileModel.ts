// What the extension needs to know about a Dockerfile's text: its stages and where each
// instruction sits. Pure (no vscode) so CodeLens, decorations and tests share one reading.
import * as path from 'path';
import type * as DockerfileAst from 'dockerfile-ast';

// The parser (with its language-server types, a third of dist/extension.js) runs its module code on
// the first parse rather than during activation.
let ast: typeof DockerfileAst | undefined;
const parser = () => (ast ??= require('dockerfile-ast') as typeof DockerfileAst).DockerfileParser;
import type { StageInfo } from '../progress/types';

export interface InstructionDef {
  keyword: string;
  /** 0-based, inclusive */
  startLine: number;
  endLine: number;
  /** the text of the instruction's last line ends at this character (for end-of-line decorations) */
  endCharacter: number;
}

export interface StageDef {
  /** 0-based position among the FROMs */
  index: number;
  /** the `AS name` alias, lower-cased like BuildKit does */
  name?: string;
  image: string;
  /** [FROM, ...following instructions of the stage] */
  instructions: InstructionDef[];
  /**
   * What BuildKit numbers "[stage i/n]": the FROM only when it pulls an image (FROM scratch and
   * FROM <earlier stage> make no vertex of their own), then ADD, COPY, RUN and WORKDIR; the others
   * (ENV, ARG, LABEL, CMD, …) only change the image config.
   */
  numbered: InstructionDef[];
  fromLine: number;
}

// dockerfile2llb's cmdTotal: the instructions that make a vertex (WORKDIR since BuildKit 0.8's FileOp)
const NUMBERED = new Set(['ADD', 'COPY', 'RUN', 'WORKDIR']);

export function parseStages(text: string): StageDef[] {
  const df = parser().parse(text);
  const stages: StageDef[] = [];
  for (const ins of df.getInstructions()) {
    const r = ins.getRange();
    const def: InstructionDef = {
      keyword: ins.getKeyword().toUpperCase(),
      startLine: r.start.line,
      endLine: r.end.line,
      endCharacter: r.end.character,
    };
    if (def.keyword === 'FROM') {
      const from = ins as unknown as { getBuildStage(): string | null; getImageName(): string | null; getArgumentsContent?(): string | null };
      const alias = from.getBuildStage();
      const image = from.getImageName() ?? '';
      const base = image.toLowerCase();
      const own = base !== 'scratch' && !stages.some((s) => s.name === base);
      stages.push({
        index: stages.length,
        name: alias ? alias.toLowerCase() : undefined,
        image,
        instructions: [def],
        numbered: own ? [def] : [],
        fromLine: def.startLine,
      });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(def);
      if (NUMBERED.has(def.keyword)) stages[stages.length - 1].numbered.push(def);
    }
  }
  return stages;
}

/**
 * The stage a vertex belongs to, from the "[name i/n]" prefix BuildKit's Dockerfile frontend writes:
 * named stages use their alias, unnamed ones "stage-N" (N = FROM position), and the target stage
 * of a single-stage file has no name at all.
 */
export function stageOfVertex(stages: StageDef[], info: StageInfo, target?: string): StageDef | undefined {
  if (stages.length === 0) return undefined;
  const name = info.name?.toLowerCase();
  if (!name) {
    if (target) return stages.find((s) => s.name === target.toLowerCase());
    return stages[stages.length - 1];
  }
  const byName = stages.find((s) => s.name === name);
  if (byName) return byName;
  const m = /^stage-(\d+)$/.exec(name);
  if (m) return stages[Number(m[1])];
  return undefined;
}

/** The instruction a "[stage i/n]" vertex ran, or undefined when the numbering does not fit this text. */
export function instructionOfVertex(stages: StageDef[], info: StageInfo, target?: string): InstructionDef | undefined {
  const stage = stageOfVertex(stages, info, target);
  if (!stage) return undefined;
  // A stale editor buffer or a different file: refuse rather than point at the wrong line.
  if (info.total && info.total !== stage.numbered.length) return undefined;
  return stage.numbered[info.index - 1];
}

/** The stage whose instructions cover a 0-based line. */
export function stageAtLine(stages: StageDef[], line: number): StageDef | undefined {
  let found: StageDef | undefined;
  for (const s of stages) if (s.fromLine <= line) found = s;
  return found;
}

/**
 * Dockerfile, *.Dockerfile, Dockerfile.*, Containerfile, *.Containerfile, Containerfile.*; not the
 * files that sit beside one with its name (Dockerfile.dockerignore, buildx's ignore file for it;
 * Dockerfile.md).
 */
export function isDockerfileName(file: string): boolean {
  const base = path.basename(file).toLowerCase();
  if (isDockerfileCompanion(base)) return false;
  return (
    base === 'dockerfile' ||
    base === 'containerfile' ||
    base.endsWith('.dockerfile') ||
    base.endsWith('.containerfile') ||
    base.startsWith('dockerfile.') ||
    base.startsWith('containerfile.')
  );
}

/** A file named after a Dockerfile that is not one (VS Code still gives Dockerfile.* the dockerfile language). */
export function isDockerfileCompanion(file: string): boolean {
  return /\.(dockerignore|md|txt)$/i.test(file);
}

/** Under node_modules or .git: a dependency's Dockerfile, not one of this workspace. */
export function isVendored(file: string): boolean {
  return /[\\/](node_modules|\.git)[\\/]/.test(file);
}

/** Glob used for workspace searches and file watchers; results are checked with isDockerfileName. */
export const DOCKERFILE_GLOB = '**/{Dockerfile,Dockerfile.*,*.Dockerfile,*.dockerfile,Containerfile,Containerfile.*,*.Containerfile,*.containerfile,dockerfile}';

/**
 * Expands the tag pattern setting. `${folder}` is the workspace folder's name, `${stage}` the target
 * (or "latest" when building the last stage), `${file}` the Dockerfile's base name. Docker refuses
 * upper-case repositories, so the repository part is normalised.
 */
export function expandTagPattern(pattern: string, vars: { folder: string; stage?: string; file: string }): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'image';
  const out = pattern
    .replace(/\$\{folder\}/g, clean(vars.folder))
    .replace(/\$\{file\}/g, clean(vars.file))
    .replace(/\$\{stage\}/g, vars.stage ? clean(vars.stage) : 'latest');
  return out.trim();
}
