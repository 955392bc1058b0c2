// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title ValidatorSet: the CyberMiles 2.0 validator contract
/// @notice Candidacy, DAO promotion and removal of at most 21 active validators,
/// delegated staking where every stake is locked for 7 days, per-epoch payout roots
/// voted by the active validators, and cumulative Merkle claims paid from the block
/// awards credited here.
/// @dev Every state change the rewards daemon needs (stakes, the active set and the
/// root votes) is emitted as an event, so all of it is rebuildable from logs alone,
/// starting at the deployment block.
///
/// Status of an address: None -> Candidate (declareCandidacy) -> Active (promotion vote)
/// -> Candidate (removal vote) -> None (withdrawCandidacy). Constructor validators go
/// straight to Active. The active set never becomes empty.
///
/// DAO: promotion and removal each need a strict majority of the active set at the
/// time of the deciding vote. A ballot is keyed by (target, target's status round,
/// active-set version); the round is bumped on every status change of the target and
/// the set version on every change of the active set, so no DAO vote survives either.
///
/// Root quorum: an epoch root is accepted when `rootQuorum()` active validators vote
/// for the same (root, total, resultHash). `rootQuorum()` is computed from the active
/// set at that moment: a strict majority, or the deploy-time fraction
/// `rootQuorumBps` of it if that is higher, so a minority can never accept a root,
/// however the set grew since deployment.
///
/// Root votes are replaceable: a validator's new vote for the open epoch replaces its
/// old one, and `withdrawRootVote` drops it, so a split vote can always be resolved.
/// Every change of a tally is an event (`RootVoted` +1, `RootVoteWithdrawn` -1), so
/// the tally of every (epoch, root, total, resultHash) is countable from logs alone.
///
/// Acceptance invariant: the counted votes of the open epoch are exactly the current
/// votes of the currently active validators (a removed validator's vote is withdrawn
/// with its removal), and no (root, total, resultHash) of the open epoch ever has
/// `rootQuorum()` or more of them without being accepted at once: checked after each
/// vote, and after each removal, the only change that can lower `rootQuorum()`.
/// So at the moment of acceptance, the accepted root has at least `rootQuorum()`
/// votes, all from validators active at that moment.
///
/// Liveness: a strict majority of the active set can always remove a validator, which
/// withdraws its vote and may let the others' votes accept the open epoch, and can then
/// promote a replacement; so neither a split vote nor a dead validator stops settlement
/// while a majority is alive. (With two active validators a majority is both of them.)
///
/// Staking: each stake is a lot that unlocks LOCK_PERIOD after the block it was made
/// in, and later stakes never lock earlier stake again. At most MAX_LOCKED_LOTS lots
/// are locked per (delegator, validator), which bounds the gas of `stake` and
/// `unstake`; see `stake` for what happens when they are all in use.
///
/// Money: stakes (`totalStaked`) and unstaked-but-not-withdrawn amounts
/// (`totalWithdrawable`) belong to delegators. Only the rest of the balance
/// (`rewardFunds`) can back payout roots, and claims never pay more in total than
/// the current root's `total`, so claims can never touch delegators' money.
contract ValidatorSet is ReentrancyGuard {
    /// @notice Maximum size of the active validator set.
    uint256 public constant MAX_VALIDATORS = 21;
    /// @notice Time, in seconds, each stake stays locked after the block it was made in.
    uint256 public constant LOCK_PERIOD = 7 days;
    /// @notice Maximum number of still-locked stake lots kept per (delegator, validator);
    /// it bounds the gas of `stake` and `unstake`.
    uint256 public constant MAX_LOCKED_LOTS = 16;

    /// Basis points in one whole.
    uint256 private constant BPS = 10_000;
    /// The lowest `rootQuorumBps`: half, which `rootQuorum` rounds up to a strict majority.
    uint256 private constant MIN_QUORUM_BPS = 5_000;

    enum Status {
        None,
        Candidate,
        Active
    }

    struct EpochRoot {
        bytes32 root;
        uint256 total;
        bytes32 resultHash;
    }

    /// Stake that is still locked until `unlocksAt` (a timestamp). 192 + 64 bits, so a
    /// lot is one storage slot: a delegation never exceeds 2^192 - 1 wei (enforced in
    /// `stake`) and block timestamps are 64-bit in every client.
    struct Lot {
        uint192 amount;
        uint64 unlocksAt;
    }

    /// One delegator's stake at one validator, beyond its total in `stakeOf`:
    /// `matured` can be unstaked; `lots` is a ring buffer of `count` locked lots from
    /// `lots[head]` (oldest) on, in non-decreasing `unlocksAt` order. Lots are moved
    /// to `matured` lazily, on the delegator's next stake or unstake at the validator,
    /// so views add the lots that matured since. matured + head + count share a slot.
    struct Delegation {
        uint192 matured;
        uint8 head;
        uint8 count;
        Lot[MAX_LOCKED_LOTS] lots;
    }

    // ---------------------------------------------------------------- events

    /// @notice `delegator` staked `amount` wei at `validator`.
    event Staked(address indexed delegator, address indexed validator, uint256 amount);
    /// @notice `delegator` moved `amount` wei of its stake at `validator` to its withdrawable balance.
    event Unstaked(address indexed delegator, address indexed validator, uint256 amount);
    /// @notice `delegator` was paid its withdrawable balance, `amount` wei.
    event Withdrawn(address indexed delegator, uint256 amount);
    /// @notice `candidate` declared candidacy for the node with public key `pubkey`.
    event CandidacyDeclared(address indexed candidate, bytes pubkey);
    /// @notice `candidate` withdrew its candidacy.
    event CandidacyWithdrawn(address indexed candidate);
    /// @notice `validator` joined the active set (constructor or promotion).
    event ValidatorAdded(address indexed validator);
    /// @notice `validator` left the active set and is a candidate again.
    event ValidatorRemoved(address indexed validator);
    /// @notice `voter` voted to promote `candidate`; `votes` is the ballot's tally so far.
    event PromotionVoted(address indexed voter, address indexed candidate, uint256 votes);
    /// @notice `voter` voted to remove `validator`; `votes` is the ballot's tally so far.
    event RemovalVoted(address indexed voter, address indexed validator, uint256 votes);
    /// @notice `voter` voted for (root, total, resultHash) as the payout root of `epoch`:
    /// that tally is one higher. `total` is in wei.
    event RootVoted(uint256 indexed epoch, address indexed voter, bytes32 root, uint256 total, bytes32 resultHash);
    /// @notice `voter`'s vote for (root, total, resultHash) in `epoch` no longer counts:
    /// that tally is one lower. Emitted when the voter replaces or withdraws its vote,
    /// and when the voter is removed from the active set. `total` is in wei.
    event RootVoteWithdrawn(
        uint256 indexed epoch, address indexed voter, bytes32 root, uint256 total, bytes32 resultHash
    );
    /// @notice The payout root of `epoch` reached the quorum and is now the current root.
    /// `total` is in wei.
    event RootAccepted(uint256 indexed epoch, bytes32 root, uint256 total, bytes32 resultHash);
    /// @notice `account` was paid `amount` wei, bringing its claimed total to `cumulative` wei.
    event Claimed(address indexed account, uint256 amount, uint256 cumulative);
    /// @notice `from` sent `amount` wei of rewards to the contract.
    event Funded(address indexed from, uint256 amount);

    // ---------------------------------------------------------------- errors

    /// @notice Deployment: `rootQuorumBps` is outside [5000, 10000].
    error InvalidQuorum(uint256 rootQuorumBps);
    /// @notice Deployment: no initial validators.
    error EmptyValidatorSet();
    /// @notice Deployment: an initial validator is the zero address.
    error ZeroAddress();
    /// @notice The node public key is not 64 bytes.
    error InvalidPubkeyLength(uint256 length);
    /// @notice `account` is already a candidate.
    error AlreadyCandidate(address account);
    /// @notice `account` is already an active validator.
    error AlreadyActive(address account);
    /// @notice `account` is not a candidate (never declared, withdrew, or is active).
    error NotCandidate(address account);
    /// @notice `account` is not an active validator.
    error NotActiveValidator(address account);
    /// @notice `account` can take no stake: it is neither an active validator nor a candidate.
    error NotValidatorOrCandidate(address account);
    /// @notice The active set already has `max` validators.
    error ActiveSetFull(uint256 max);
    /// @notice A removal would leave no active validator.
    error LastValidator();
    /// @notice `voter` already voted in the pending ballot on `target`.
    error DuplicateVote(address voter, address target);
    /// @notice A stake or unstake of zero wei.
    error ZeroAmount();
    /// @notice The stake would bring one delegation to `staked` wei, above 2^192 - 1.
    error StakeTooLarge(uint256 staked);
    /// @notice Unstaking more than the stake (both in wei).
    error InsufficientStake(uint256 staked, uint256 requested);
    /// @notice Only `unlocked` wei of the stake can be unstaked now, less than the
    /// `requested` wei; the oldest locked lot unlocks at `nextUnlockAt` (a timestamp).
    error StakeLocked(uint256 unlocked, uint256 requested, uint256 nextUnlockAt);
    /// @notice `account` has no withdrawable balance.
    error NothingToWithdraw(address account);
    /// @notice Paying `amount` wei to `to` failed (the recipient rejected it).
    error TransferFailed(address to, uint256 amount);
    /// @notice Roots are accepted for `expected` only.
    error EpochNotNext(uint256 expected, uint256 got);
    /// @notice `validator` already has a counted vote for exactly this root of `epoch`.
    error AlreadyVoted(uint256 epoch, address validator);
    /// @notice `validator` has no counted root vote for `epoch`.
    error NoVote(uint256 epoch, address validator);
    /// @notice A root's total is below the previous accepted total (cumulative payouts never decrease).
    error TotalDecreased(uint256 previous, uint256 got);
    /// @notice A root's total exceeds what the contract can pay: totalClaimed + rewardFunds.
    error TotalExceedsFunds(uint256 available, uint256 got);
    /// @notice (account, cumulative) with this proof is not a leaf of the current root.
    error InvalidProof(address account, uint256 cumulative);
    /// @notice `account` has already claimed its cumulative payout.
    error NothingToClaim(address account);
    /// @notice The claim would pay out more than the current root's total (a malformed tree).
    error ClaimExceedsTotal(uint256 available, uint256 requested);

    // ---------------------------------------------------------------- state

    /// @notice Fraction of the active set, in basis points (5000..10000), whose votes
    /// accept an epoch root, when that is more than a strict majority; see `rootQuorum`.
    uint256 public immutable rootQuorumBps;

    mapping(address account => Status) private _status;
    /// Bumped on every status change of an address; part of its DAO ballot key.
    mapping(address account => uint256) private _statusRound;
    /// Bumped on every change of the active set; part of every DAO ballot key.
    uint256 private _setVersion;
    address[] private _active;
    /// Position in `_active` plus one; zero when not active.
    mapping(address validator => uint256) private _activeSlot;
    mapping(bytes32 ballot => uint256) private _ballotVotes;
    mapping(bytes32 ballot => mapping(address voter => bool)) private _ballotVoted;

    /// @notice Stake of `delegator` at `validator`, in wei: unlocked and locked together.
    mapping(address delegator => mapping(address validator => uint256)) public stakeOf;
    mapping(address delegator => mapping(address validator => Delegation)) private _delegations;
    /// @notice Sum of all delegators' stakes at `validator`, in wei.
    mapping(address validator => uint256) public totalStakeAt;
    /// @notice Unstaked wei that `delegator` can take out with `withdraw()`.
    mapping(address delegator => uint256) public withdrawable;
    /// @notice Sum of all stakes, in wei.
    uint256 public totalStaked;
    /// @notice Sum of all withdrawable balances, in wei.
    uint256 public totalWithdrawable;

    /// @notice Accepted root of each epoch (`total` in wei); zero for epochs not accepted yet.
    mapping(uint256 epoch => EpochRoot) public epochRoot;
    /// @notice The only epoch `submitRoot` accepts votes for; epochs start at 0.
    uint256 public nextEpoch;
    /// Vote key a validator's counted vote in an epoch is for (zero: none). Only the
    /// open epoch's entries ever change, so closed epochs keep their voting history.
    mapping(uint256 epoch => mapping(address validator => bytes32 key)) private _rootVoteOf;
    /// Counted votes per vote key: those of currently active validators for the open
    /// epoch, frozen once the epoch is closed.
    mapping(bytes32 key => uint256) private _rootVotes;
    /// (root, total, resultHash) of every key ever voted for, so that a root can be
    /// accepted, and a vote withdrawn with its event, knowing only the key.
    mapping(bytes32 key => EpochRoot) private _rootOfKey;

    /// @notice Cumulative wei already paid to `account` by `claim`.
    mapping(address account => uint256) public claimed;
    /// @notice Sum of all claims paid, in wei.
    uint256 public totalClaimed;

    // ---------------------------------------------------------------- setup

    /// @notice Deploys the contract with its first active validators.
    /// @param initialValidators The first active set: 1 to 21 distinct, non-zero
    /// addresses; a `ValidatorAdded` event is emitted for each, in this order.
    /// @param rootQuorumBps_ Fraction of the active set, in basis points, whose votes
    /// accept a root: 5000 (a strict majority) to 10000 (unanimity). Never lowers the
    /// quorum below a strict majority.
    constructor(address[] memory initialValidators, uint256 rootQuorumBps_) {
        if (rootQuorumBps_ < MIN_QUORUM_BPS || rootQuorumBps_ > BPS) revert InvalidQuorum(rootQuorumBps_);
        if (initialValidators.length == 0) revert EmptyValidatorSet();
        if (initialValidators.length > MAX_VALIDATORS) revert ActiveSetFull(MAX_VALIDATORS);
        rootQuorumBps = rootQuorumBps_;
        for (uint256 i = 0; i < initialValidators.length; ++i) {
            address v = initialValidators[i];
            if (v == address(0)) revert ZeroAddress();
            if (_status[v] == Status.Active) revert AlreadyActive(v);
            _addValidator(v);
        }
    }

    /// @notice Accepts CMT for rewards (the chain also credits block awards here
    /// without a call, which emits nothing).
    receive() external payable {
        emit Funded(msg.sender, msg.value);
    }

    // ---------------------------------------------------------------- candidacy

    /// @notice Declares the caller a validator candidate.
    /// @param pubkey The node's secp256k1 public key: 64 bytes, uncompressed, without
    /// the 0x04 prefix (the enode id).
    function declareCandidacy(bytes calldata pubkey) external {
        if (pubkey.length != 64) revert InvalidPubkeyLength(pubkey.length);
        Status s = _status[msg.sender];
        if (s == Status.Active) revert AlreadyActive(msg.sender);
        if (s == Status.Candidate) revert AlreadyCandidate(msg.sender);
        _setStatus(msg.sender, Status.Candidate);
        emit CandidacyDeclared(msg.sender, pubkey);
    }

    /// @notice Withdraws the caller's candidacy. Only a candidate that is not active
    /// can do this; stakes at it stay where they are and can still be unstaked.
    function withdrawCandidacy() external {
        if (_status[msg.sender] != Status.Candidate) revert NotCandidate(msg.sender);
        _setStatus(msg.sender, Status.None);
        emit CandidacyWithdrawn(msg.sender);
    }

    // ---------------------------------------------------------------- DAO

    /// @notice Votes, as an active validator, to promote `candidate` to the active set.
    /// A strict majority of the current active set promotes it. A promotion never
    /// lowers `rootQuorum()`, so it never accepts a root.
    /// @param candidate A current candidate.
    function votePromote(address candidate) external {
        _onlyActive(msg.sender);
        if (_status[candidate] != Status.Candidate) revert NotCandidate(candidate);
        if (_active.length >= MAX_VALIDATORS) revert ActiveSetFull(MAX_VALIDATORS);
        uint256 votes = _castBallot(candidate);
        emit PromotionVoted(msg.sender, candidate, votes);
        if (votes * 2 > _active.length) _addValidator(candidate);
    }

    /// @notice Votes, as an active validator, to remove `validator` from the active set;
    /// it becomes a candidate again. A strict majority of the current active set removes
    /// it, as long as another validator stays active. The removal withdraws the removed
    /// validator's vote for the open epoch (`RootVoteWithdrawn`) and, as the quorum may
    /// have dropped, accepts a root the remaining votes now carry (`RootAccepted`).
    /// @param validator A current active validator (possibly the caller itself).
    function voteRemove(address validator) external {
        _onlyActive(msg.sender);
        _onlyActive(validator);
        if (_active.length == 1) revert LastValidator();
        uint256 votes = _castBallot(validator);
        emit RemovalVoted(msg.sender, validator, votes);
        if (votes * 2 > _active.length) _removeValidator(validator);
    }

    // ---------------------------------------------------------------- staking

    /// @notice Stakes the sent CMT (wei) at `validator` (active or candidate). The new
    /// stake unlocks LOCK_PERIOD after this block's timestamp; stake made earlier keeps
    /// its own unlock time, except in one case: when MAX_LOCKED_LOTS lots are still
    /// locked, the new stake is merged into the newest of them, whose unlock time moves
    /// to the new one. That delays only stake that is itself still locked, never
    /// unlocked stake. Stakes made in the same block also share a lot.
    /// @param validator An active validator or a candidate.
    function stake(address validator) external payable {
        if (msg.value == 0) revert ZeroAmount();
        if (_status[validator] == Status.None) revert NotValidatorOrCandidate(validator);
        uint256 staked = stakeOf[msg.sender][validator] + msg.value;
        // Keeps every lot and the matured amount within their 192-bit fields: each is
        // at most the delegation's total.
        if (staked > type(uint192).max) revert StakeTooLarge(staked);
        stakeOf[msg.sender][validator] = staked;

        Delegation storage d = _delegations[msg.sender][validator];
        _fold(d); // frees the places of lots that unlocked, so that only locked lots remain
        _addLot(d, msg.value);
        totalStakeAt[validator] += msg.value;
        totalStaked += msg.value;
        emit Staked(msg.sender, validator, msg.value);
    }

    /// @notice Unstakes `amount` wei of the caller's stake at `validator` into the
    /// caller's withdrawable balance, whatever the validator's status. Any stake whose
    /// lock has ended (LOCK_PERIOD after the block it was staked in, inclusive) can be
    /// unstaked; see `unlockedStakeOf`.
    /// @param validator The validator staked at.
    /// @param amount Wei to unstake: non-zero, at most the stake and at most its
    /// unlocked part.
    function unstake(address validator, uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        uint256 staked = stakeOf[msg.sender][validator];
        if (amount > staked) revert InsufficientStake(staked, amount);
        Delegation storage d = _delegations[msg.sender][validator];
        uint256 matured = _fold(d);
        // amount <= staked = matured + locked lots, so a locked lot exists here.
        if (amount > matured) revert StakeLocked(matured, amount, d.lots[d.head].unlocksAt);
        d.matured = uint192(matured - amount);
        stakeOf[msg.sender][validator] = staked - amount;
        totalStakeAt[validator] -= amount;
        totalStaked -= amount;
        withdrawable[msg.sender] += amount;
        totalWithdrawable += amount;
        emit Unstaked(msg.sender, validator, amount);
    }

    /// @notice Pays the caller's whole withdrawable balance (wei) to the caller.
    function withdraw() external nonReentrant {
        uint256 amount = withdrawable[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        withdrawable[msg.sender] = 0;
        totalWithdrawable -= amount;
        emit Withdrawn(msg.sender, amount);
        _pay(msg.sender, amount);
    }

    // ---------------------------------------------------------------- roots

    /// @notice Votes, as an active validator, for the payout root of epoch `epoch`,
    /// which must be `nextEpoch`. A caller that already voted for another (root, total,
    /// resultHash) in this epoch has that vote withdrawn first (`RootVoteWithdrawn`),
    /// then the new one is counted (`RootVoted`). Once `rootQuorum()` active validators
    /// voted for the same (root, total, resultHash), it is accepted (`RootAccepted`)
    /// and `nextEpoch` moves on.
    /// @param epoch Must equal `nextEpoch()`.
    /// @param root Merkle root of the cumulative payout tree (rewards-v1 section 6).
    /// @param total Sum of all cumulative payouts in the tree, in wei: not below the
    /// previous accepted total, and at most `totalClaimed() + rewardFunds()`.
    /// @param resultHash Hash of the epoch's published result, for audit.
    function submitRoot(uint256 epoch, bytes32 root, uint256 total, bytes32 resultHash) external {
        _onlyActive(msg.sender);
        if (epoch != nextEpoch) revert EpochNotNext(nextEpoch, epoch);
        uint256 previous = currentTotal();
        if (total < previous) revert TotalDecreased(previous, total);
        uint256 available = totalClaimed + rewardFunds();
        if (total > available) revert TotalExceedsFunds(available, total);

        bytes32 key = _rootKey(epoch, root, total, resultHash);
        bytes32 old = _rootVoteOf[epoch][msg.sender];
        if (old == key) revert AlreadyVoted(epoch, msg.sender);
        if (old != 0) _withdrawRootVote(epoch, msg.sender, old);

        _rootVoteOf[epoch][msg.sender] = key;
        uint256 votes = ++_rootVotes[key];
        if (votes == 1) _rootOfKey[key] = EpochRoot(root, total, resultHash);
        emit RootVoted(epoch, msg.sender, root, total, resultHash);
        if (votes >= rootQuorum()) _acceptRoot(epoch, EpochRoot(root, total, resultHash));
    }

    /// @notice Withdraws the caller's vote for the open epoch (`nextEpoch`), as an
    /// active validator, emitting `RootVoteWithdrawn`. It never accepts a root.
    function withdrawRootVote() external {
        _onlyActive(msg.sender);
        uint256 epoch = nextEpoch;
        bytes32 key = _rootVoteOf[epoch][msg.sender];
        if (key == 0) revert NoVote(epoch, msg.sender);
        _withdrawRootVote(epoch, msg.sender, key);
    }

    // ---------------------------------------------------------------- claims

    /// @notice Pays `account` its cumulative payout in the current root minus what it
    /// has already claimed. Anyone may call it; the CMT always goes to `account`.
    /// @param account The leaf's account and the payee.
    /// @param cumulative The leaf's cumulative payout, in wei.
    /// @param proof Sibling hashes from the leaf to `currentRoot()`.
    function claim(address account, uint256 cumulative, bytes32[] calldata proof) external nonReentrant {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulative))));
        if (!MerkleProof.verifyCalldata(proof, currentRoot(), leaf)) revert InvalidProof(account, cumulative);
        uint256 already = claimed[account];
        if (cumulative <= already) revert NothingToClaim(account);
        uint256 amount = cumulative - already;
        uint256 available = currentTotal() - totalClaimed;
        if (amount > available) revert ClaimExceedsTotal(available, amount);
        claimed[account] = cumulative;
        totalClaimed += amount;
        emit Claimed(account, amount, cumulative);
        _pay(account, amount);
    }

    // ---------------------------------------------------------------- views

    /// @notice Matching votes that accept a root now: the larger of a strict majority of
    /// the active set (n / 2 + 1) and ceil(n * rootQuorumBps / 10000), n being the
    /// number of active validators. It changes with the active set.
    function rootQuorum() public view returns (uint256) {
        uint256 n = _active.length;
        uint256 majority = n / 2 + 1;
        uint256 fraction = (n * rootQuorumBps + BPS - 1) / BPS;
        return fraction > majority ? fraction : majority;
    }

    /// @notice Root of the latest accepted epoch; zero before any.
    function currentRoot() public view returns (bytes32) {
        return nextEpoch == 0 ? bytes32(0) : epochRoot[nextEpoch - 1].root;
    }

    /// @notice Total, in wei, of the latest accepted epoch; zero before any.
    function currentTotal() public view returns (uint256) {
        return nextEpoch == 0 ? 0 : epochRoot[nextEpoch - 1].total;
    }

    /// @notice Balance available for rewards, in wei: everything but stakes and pending
    /// withdrawals, which are delegators' own money.
    function rewardFunds() public view returns (uint256) {
        return address(this).balance - totalStaked - totalWithdrawable;
    }

    /// @notice Whether `validator` has a counted root vote for `epoch` (for a closed
    /// epoch: had one when it was accepted).
    function hasVoted(uint256 epoch, address validator) external view returns (bool) {
        return _rootVoteOf[epoch][validator] != 0;
    }

    /// @notice The (root, total in wei, resultHash) `validator`'s counted vote for
    /// `epoch` is for; zeros when it has none. For a closed epoch, the vote it had when
    /// the epoch was accepted.
    function voteOf(uint256 epoch, address validator)
        external
        view
        returns (bytes32 root, uint256 total, bytes32 resultHash)
    {
        bytes32 key = _rootVoteOf[epoch][validator];
        if (key == 0) return (bytes32(0), 0, bytes32(0));
        EpochRoot storage r = _rootOfKey[key];
        return (r.root, r.total, r.resultHash);
    }

    /// @notice Counted votes for (root, total, resultHash) in `epoch`: for the open
    /// epoch, those of currently active validators; for a closed one, the tally at
    /// acceptance.
    function voteCount(uint256 epoch, bytes32 root, uint256 total, bytes32 resultHash)
        external
        view
        returns (uint256)
    {
        return _rootVotes[_rootKey(epoch, root, total, resultHash)];
    }

    /// @notice Part of `delegator`'s stake at `validator` that `unstake` accepts now, in
    /// wei: every lot whose unlock time is at or before this block's timestamp.
    function unlockedStakeOf(address delegator, address validator) external view returns (uint256 unlocked) {
        Delegation storage d = _delegations[delegator][validator];
        unlocked = d.matured;
        uint256 head = d.head;
        uint256 count = d.count;
        for (uint256 i = 0; i < count; ++i) {
            Lot storage lot = d.lots[(head + i) % MAX_LOCKED_LOTS];
            if (lot.unlocksAt > block.timestamp) break;
            unlocked += lot.amount;
        }
    }

    /// @notice The still-locked lots of `delegator`'s stake at `validator` as of this
    /// block, oldest first: `amounts[i]` wei unlock at timestamp `unlocksAt[i]`. Their
    /// sum plus `unlockedStakeOf` is `stakeOf`.
    function lockedLotsOf(address delegator, address validator)
        external
        view
        returns (uint256[] memory amounts, uint256[] memory unlocksAt)
    {
        Delegation storage d = _delegations[delegator][validator];
        uint256 head = d.head;
        uint256 count = d.count;
        uint256 first = 0;
        while (first < count && d.lots[(head + first) % MAX_LOCKED_LOTS].unlocksAt <= block.timestamp) {
            ++first;
        }
        amounts = new uint256[](count - first);
        unlocksAt = new uint256[](count - first);
        for (uint256 i = first; i < count; ++i) {
            Lot storage lot = d.lots[(head + i) % MAX_LOCKED_LOTS];
            amounts[i - first] = lot.amount;
            unlocksAt[i - first] = lot.unlocksAt;
        }
    }

    /// @notice The active validators (order changes on removal).
    function activeValidators() external view returns (address[] memory) {
        return _active;
    }

    /// @notice Whether `account` is an active validator.
    function isActive(address account) external view returns (bool) {
        return _status[account] == Status.Active;
    }

    /// @notice Whether `account` is a candidate (declared, or removed, and not active).
    function isCandidate(address account) external view returns (bool) {
        return _status[account] == Status.Candidate;
    }

    /// @notice Votes in the pending promotion (for a candidate) or removal (for an
    /// active validator) ballot on `target`.
    function pendingVotes(address target) external view returns (uint256) {
        return _ballotVotes[_ballot(target)];
    }

    /// @notice Whether `voter` has voted in the pending ballot on `target`.
    function hasVotedOn(address voter, address target) external view returns (bool) {
        return _ballotVoted[_ballot(target)][voter];
    }

    // ---------------------------------------------------------------- internals

    function _onlyActive(address account) private view {
        if (_status[account] != Status.Active) revert NotActiveValidator(account);
    }

    function _ballot(address target) private view returns (bytes32) {
        return keccak256(abi.encode(target, _statusRound[target], _setVersion));
    }

    function _castBallot(address target) private returns (uint256 votes) {
        bytes32 ballot = _ballot(target);
        if (_ballotVoted[ballot][msg.sender]) revert DuplicateVote(msg.sender, target);
        _ballotVoted[ballot][msg.sender] = true;
        votes = ++_ballotVotes[ballot];
    }

    function _setStatus(address account, Status s) private {
        _status[account] = s;
        ++_statusRound[account];
    }

    function _addValidator(address v) private {
        _setStatus(v, Status.Active);
        ++_setVersion;
        _active.push(v);
        _activeSlot[v] = _active.length;
        emit ValidatorAdded(v);
    }

    function _removeValidator(address v) private {
        uint256 quorumBefore = rootQuorum();
        _setStatus(v, Status.Candidate);
        ++_setVersion;
        uint256 slot = _activeSlot[v];
        address last = _active[_active.length - 1];
        _active[slot - 1] = last;
        _activeSlot[last] = slot;
        _active.pop();
        delete _activeSlot[v];
        emit ValidatorRemoved(v);

        // Only active validators' votes count: withdraw the removed one's open vote.
        uint256 epoch = nextEpoch;
        bytes32 key = _rootVoteOf[epoch][v];
        if (key != 0) _withdrawRootVote(epoch, v, key);
        // No tally of the open epoch was at the old quorum (it would have been accepted)
        // and tallies only fell, so only a lower quorum can accept a root now.
        if (rootQuorum() < quorumBefore) _acceptReachedRoot(epoch);
    }

    /// Accepts the open epoch's root if the remaining active validators' votes for it
    /// reach the current quorum. At most one can, as the quorum is a strict majority
    /// and each validator votes once. Bounded: at most 21 active validators.
    ///
    /// The vote's funds check needs no repeating: the total was at most
    /// totalClaimed + rewardFunds() when the vote was cast, and that sum never
    /// decreases (claims, stakes, unstakes and withdrawals leave it unchanged; awards
    /// and funding raise it). Nor can the total have fallen below currentTotal(),
    /// which changes only when an epoch is accepted, closing this one.
    function _acceptReachedRoot(uint256 epoch) private {
        uint256 quorum = rootQuorum();
        uint256 n = _active.length;
        for (uint256 i = 0; i < n; ++i) {
            bytes32 key = _rootVoteOf[epoch][_active[i]];
            if (key != 0 && _rootVotes[key] >= quorum) {
                _acceptRoot(epoch, _rootOfKey[key]);
                return;
            }
        }
    }

    function _acceptRoot(uint256 epoch, EpochRoot memory r) private {
        epochRoot[epoch] = r;
        nextEpoch = epoch + 1;
        emit RootAccepted(epoch, r.root, r.total, r.resultHash);
    }

    function _withdrawRootVote(uint256 epoch, address voter, bytes32 key) private {
        --_rootVotes[key];
        delete _rootVoteOf[epoch][voter];
        EpochRoot storage r = _rootOfKey[key];
        emit RootVoteWithdrawn(epoch, voter, r.root, r.total, r.resultHash);
    }

    function _rootKey(uint256 epoch, bytes32 root, uint256 total, bytes32 resultHash)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(epoch, root, total, resultHash));
    }

    /// Adds `amount` wei, locked until LOCK_PERIOD from now, as the newest lot of a
    /// folded delegation (only locked lots left). It joins the newest lot when that has
    /// the same unlock time (same block), or when the queue is full: then the newest
    /// lot, still locked, takes the later unlock time, which delays no unlocked stake.
    function _addLot(Delegation storage d, uint256 amount) private {
        uint64 unlocksAt = uint64(block.timestamp + LOCK_PERIOD);
        uint256 head = d.head;
        uint256 count = d.count;
        if (count != 0) {
            Lot storage newest = d.lots[(head + count - 1) % MAX_LOCKED_LOTS];
            if (count == MAX_LOCKED_LOTS || newest.unlocksAt == unlocksAt) {
                newest.amount += uint192(amount);
                newest.unlocksAt = unlocksAt;
                return;
            }
        }
        d.lots[(head + count) % MAX_LOCKED_LOTS] = Lot(uint192(amount), unlocksAt);
        d.count = uint8(count + 1);
    }

    /// Moves the lots that have unlocked by now into `matured` and returns it. At most
    /// MAX_LOCKED_LOTS iterations.
    function _fold(Delegation storage d) private returns (uint256 matured) {
        matured = d.matured;
        uint256 count = d.count;
        if (count == 0) return matured;
        uint256 head = d.head;
        uint256 folded = 0;
        while (folded < count) {
            Lot storage lot = d.lots[head];
            if (lot.unlocksAt > block.timestamp) break;
            matured += lot.amount;
            head = (head + 1) % MAX_LOCKED_LOTS;
            ++folded;
        }
        if (folded != 0) {
            d.matured = uint192(matured); // <= stakeOf, which `stake` keeps below 2^192
            d.head = uint8(head);
            d.count = uint8(count - folded);
        }
    }

    function _pay(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
