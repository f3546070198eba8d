/** state.json: §4 the state at epoch 0 of each named genesis, its root and its supplies. */
import { genesisHash } from '../../src/genesis/genesis.ts';
import { atrSupply, chrSupply, flxSupply, initialState, psySupply, resSupply, stateRoot } from '../../src/economics/state.ts';
import { j, type Vectors } from './common.ts';
import { GENESES_TEXT, genesesUsed, genesisNamed } from './fixtures.ts';

export function stateVectors(): Vectors {
  const names = ['example', 'single', 'triangle', 'default', 'default-patched'];
  const cases = names.map((name) => {
    const g = genesisNamed(name);
    const st = initialState(g, genesisHash(g));
    return {
      name,
      genesis: name,
      genesis_hash: st.genesis,
      state: j(st),
      root: stateRoot(st),
      supplies: j({ chr: chrSupply(st), flx: flxSupply(st), psy: psySupply(st), atr: atrSupply(st), res: resSupply(st) }),
    };
  });
  return {
    format: 'qfs-vectors/1',
    section: '§4 state: the state at epoch 0 of a genesis, its root R = H("qfs/v13/state", state), its supplies',
    conventions: GENESES_TEXT,
    geneses: genesesUsed(names),
    cases,
  };
}
