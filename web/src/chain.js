// The chain through viem: wallet discovery (EIP-6963 and window.ethereum),
// reads, and transactions with their states and decoded contract errors.
import {
  createClient, custom, http, defineChain,
  BaseError, ContractFunctionRevertedError, UserRejectedRequestError, numberToHex,
  WaitForTransactionReceiptTimeoutError,
} from 'viem';
// Actions one by one rather than createPublicClient/createWalletClient,
// whose decorators pull every action (and the signing code) into the
// bundle: this keeps it about a third smaller.
import {
  readContract, simulateContract, writeContract, waitForTransactionReceipt,
  getContractEvents, getBalance, getBlock,
} from 'viem/actions';
import abi from '../../contracts/build/ValidatorSet.abi';

export { abi };

// Wallets announce themselves (EIP-6963); window.ethereum is the fallback.
const announced = [];
window.addEventListener('eip6963:announceProvider', (e) => announced.push(e.detail));
window.dispatchEvent(new Event('eip6963:requestProvider'));

export function findProvider() {
  return announced[0]?.provider || window.ethereum || null;
}

export function makeChain(id, rpc) {
  return defineChain({
    id, name: id === 18 ? 'CyberMiles' : `CyberMiles (chain ${id})`,
    nativeCurrency: { name: 'CMT', symbol: 'CMT', decimals: 18 },
    rpcUrls: { default: { http: rpc ? [rpc] : [] } },
  });
}

// publicClient reads through the wallet when one is connected (no CORS
// needed on the node), else through the ?rpc= endpoint.
export function publicClient(chain, provider, rpc) {
  const transport = provider ? custom(provider) : rpc ? http(rpc) : null;
  if (!transport) return null;
  const c = createClient({ chain, transport });
  return {
    readContract: (a) => readContract(c, a),
    simulateContract: (a) => simulateContract(c, a),
    waitForTransactionReceipt: (a) => waitForTransactionReceipt(c, a),
    getContractEvents: (a) => getContractEvents(c, a),
    getBalance: (a) => getBalance(c, a),
    getBlock: (a) => getBlock(c, a),
  };
}

export function walletClient(chain, provider, account) {
  const c = createClient({ chain, account, transport: custom(provider) });
  return { account: c.account, writeContract: (a) => writeContract(c, a) };
}

// ensureChain switches the wallet to the chain, adding it when the wallet
// does not know it. Wallets report an unknown chain as 4902, -32603 or
// null, so any switch failure other than a refusal tries the add.
export async function ensureChain(provider, chainId, rpc) {
  const hex = numberToHex(chainId); // unpadded, as MetaMask requires
  try {
    await provider.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: hex }] });
  } catch (e) {
    if (e?.code === 4001) throw e;
    if (!rpc) throw new Error('the wallet does not know this chain; open the page with ?rpc=<node URL> to add it');
    await provider.request({
      method: 'wallet_addEthereumChain',
      params: [{ chainId: hex, chainName: 'CyberMiles', nativeCurrency: { name: 'CMT', symbol: 'CMT', decimals: 18 }, rpcUrls: [rpc] }],
    });
  }
}

// hints say what a holder can do about the contract errors they meet.
const hints = {
  InvalidProof: 'the proof is not for the current root: a newer epoch was accepted; claim again',
  StakeLocked: 'that stake has not matured yet',
  NothingToClaim: 'everything is claimed already',
  NothingToWithdraw: 'nothing is withdrawable',
  StakeTooLarge: 'the stake would exceed the contract\'s limit',
};

// describeError names a contract's custom error with its arguments (and
// a hint), or gives viem's short message.
export function describeError(e) {
  if (e instanceof BaseError) {
    const rev = e.walk((x) => x instanceof ContractFunctionRevertedError);
    if (rev?.data?.errorName) {
      const args = (rev.data.args || []).map((a) => String(a)).join(', ');
      const hint = hints[rev.data.errorName];
      return `${rev.data.errorName}(${args})${hint ? `: ${hint}` : ''}`;
    }
    if (e.walk((x) => x instanceof UserRejectedRequestError)) return 'rejected in the wallet';
    return e.shortMessage || e.message;
  }
  return e?.message || String(e);
}

// send simulates a contract write (a revert is reported before any gas is
// spent), sends it and waits for the receipt, reporting each state to
// onState: 'signing', 'sent' (hash), 'mined' or 'reverted'.
export async function send({ pub, wallet, address, functionName, args = [], value, onState }) {
  onState({ state: 'signing' });
  const { request } = await pub.simulateContract({
    address, abi, functionName, args, value, account: wallet.account,
  });
  const hash = await wallet.writeContract(request);
  onState({ state: 'sent', hash });
  let receipt;
  try {
    receipt = await pub.waitForTransactionReceipt({ hash, pollingInterval: 500 });
  } catch (e) {
    // Not mined yet is not failed: the transaction may still be included.
    if (e instanceof WaitForTransactionReceiptTimeoutError) {
      onState({ state: 'sent', hash, error: 'not mined after 3 minutes: still pending, check it in the wallet' });
      return null;
    }
    throw e;
  }
  if (receipt.status !== 'success') {
    // Replay at the block to name the error.
    let why = 'reverted';
    try {
      await pub.simulateContract({ address, abi, functionName, args, value, account: wallet.account, blockNumber: receipt.blockNumber });
    } catch (e) { why = describeError(e); }
    onState({ state: 'reverted', hash, error: why, block: receipt.blockNumber });
    return receipt;
  }
  onState({ state: 'mined', hash, block: receipt.blockNumber });
  return receipt;
}
