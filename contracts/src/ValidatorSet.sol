// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title ValidatorSet: the CyberMiles 2.0 validator contract
/// @notice Candidacy, DAO promotion and removal of at most 21 active validators,
/// delegated staking with a 7-day lock, per-epoch payout roots voted by the active
/// validators, and cumulative Merkle claims paid from the block awards credited here.
/// @dev Every state change the rewards daemon needs (stakes and the active set) is
/// emitted as an event, so both are rebuildable from logs alone, starting at the
/// deployment block.
///
/// Status of an address: None -> Candidate (declareCandidacy) -> Active (promotion vote)
/// -> Candidate (removal vote) -> None (withdrawCandidacy). Constructor validators go
/// straight to Active.
///
/// Stale votes: a DAO ballot is keyed by (target, target's status round, active-set
/// version). The round is bumped on every status change of the target and the set
/// version on every change of the active set, so no DAO vote survives either. A
/// removed validator's pending root vote (for `nextEpoch`) is withdrawn on removal.
///
/// Quorum rule: an epoch root is accepted when `rootQuorum` distinct active
/// validators voted for the same (root, total, resultHash). `rootQuorum` is fixed
/// at deployment, never capped, and the active set can never shrink below it (the
/// constructor needs at least `rootQuorum` validators and a removal vote reverts
/// while the active set has only `rootQuorum` members), so the quorum is always
/// reachable and never silently weakened.
///
/// Money: stakes (`totalStaked`) and unstaked-but-not-withdrawn amounts
/// (`totalWithdrawable`) belong to delegators. Only the rest of the balance
/// (`rewardFunds`) can back payout roots, and claims never pay more in total than
/// the current root's `total`, so claims can never touch delegators' money.
contract ValidatorSet is ReentrancyGuard {
    /// @notice Maximum size of the active validator set.
    uint256 public constant MAX_VALIDATORS = 21;
    /// @notice Time a stake stays locked after the delegator's latest stake to a validator.
    uint256 public constant LOCK_PERIOD = 7 days;

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
    /// @notice `voter` voted for (root, total, resultHash) as the payout root of `epoch`.
    event RootVoted(uint256 indexed epoch, address indexed voter, bytes32 root, uint256 total, bytes32 resultHash);
    /// @notice The payout root of `epoch` reached the quorum and is now the current root.
    event RootAccepted(uint256 indexed epoch, bytes32 root, uint256 total, bytes32 resultHash);
    /// @notice `account` was paid `amount` wei, bringing its claimed total to `cumulative`.
    event Claimed(address indexed account, uint256 amount, uint256 cumulative);
    /// @notice `from` sent `amount` wei of rewards to the contract.
    event Funded(address indexed from, uint256 amount);

    // ---------------------------------------------------------------- errors

    /// @notice Deployment: the quorum is 0 or larger than the initial validator set.
    error InvalidQuorum(uint256 rootQuorum, uint256 validators);
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
    /// @notice A removal would leave fewer active validators than the root quorum.
    error ActiveSetAtQuorum(uint256 active, uint256 rootQuorum);
    /// @notice `voter` already voted in the pending ballot on `target`.
    error DuplicateVote(address voter, address target);
    /// @notice A stake or unstake of zero wei.
    error ZeroAmount();
    /// @notice Unstaking more than the stake.
    error InsufficientStake(uint256 staked, uint256 requested);
    /// @notice The stake stays locked until `unlocksAt` (a timestamp).
    error StakeLocked(uint256 unlocksAt);
    /// @notice `account` has no withdrawable balance.
    error NothingToWithdraw(address account);
    /// @notice Paying `amount` wei to `to` failed (the recipient rejected it).
    error TransferFailed(address to, uint256 amount);
    /// @notice Roots are accepted for `expected` only.
    error EpochNotNext(uint256 expected, uint256 got);
    /// @notice `validator` already has a counted vote for `epoch`.
    error AlreadyVoted(uint256 epoch, address validator);
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

    /// @notice Number of matching root votes that accepts an epoch root.
    uint256 public immutable rootQuorum;

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

    /// @notice Stake of `delegator` at `validator`, in wei.
    mapping(address delegator => mapping(address validator => uint256)) public stakeOf;
    /// @notice Timestamp of `delegator`'s latest stake to `validator` (its lock starts there).
    mapping(address delegator => mapping(address validator => uint256)) public lastStakeTime;
    /// @notice Sum of all delegators' stakes at `validator`, in wei.
    mapping(address validator => uint256) public totalStakeAt;
    /// @notice Unstaked wei that `delegator` can take out with `withdraw()`.
    mapping(address delegator => uint256) public withdrawable;
    /// @notice Sum of all stakes, in wei.
    uint256 public totalStaked;
    /// @notice Sum of all withdrawable balances, in wei.
    uint256 public totalWithdrawable;

    /// @notice Accepted root of each epoch; zero for epochs not accepted yet.
    mapping(uint256 epoch => EpochRoot) public epochRoot;
    /// @notice The only epoch `submitRoot` accepts votes for; epochs start at 0.
    uint256 public nextEpoch;
    /// Vote key a validator voted for in an epoch (zero: has not voted).
    mapping(uint256 epoch => mapping(address validator => bytes32 key)) private _rootVoteOf;
    mapping(bytes32 key => uint256) private _rootVotes;

    /// @notice Cumulative wei already paid to `account` by `claim`.
    mapping(address account => uint256) public claimed;
    /// @notice Sum of all claims paid, in wei.
    uint256 public totalClaimed;

    // ---------------------------------------------------------------- setup

    /// @notice Deploys the contract with its first active validators.
    /// @param initialValidators The first active set (distinct, non-zero, at most 21);
    /// a `ValidatorAdded` event is emitted for each, in this order.
    /// @param rootQuorum_ Matching votes needed to accept an epoch root: at least 1 and
    /// at most the number of initial validators.
    constructor(address[] memory initialValidators, uint256 rootQuorum_) {
        if (rootQuorum_ == 0 || rootQuorum_ > initialValidators.length) {
            revert InvalidQuorum(rootQuorum_, initialValidators.length);
        }
        if (initialValidators.length > MAX_VALIDATORS) revert ActiveSetFull(MAX_VALIDATORS);
        rootQuorum = rootQuorum_;
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
    /// A strict majority of the current active set promotes it.
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
    /// it becomes a candidate again. A strict majority of the current active set removes it.
    /// @param validator A current active validator (possibly the caller itself).
    function voteRemove(address validator) external {
        _onlyActive(msg.sender);
        _onlyActive(validator);
        if (_active.length <= rootQuorum) revert ActiveSetAtQuorum(_active.length, rootQuorum);
        uint256 votes = _castBallot(validator);
        emit RemovalVoted(msg.sender, validator, votes);
        if (votes * 2 > _active.length) _removeValidator(validator);
    }

    // ---------------------------------------------------------------- staking

    /// @notice Stakes the sent CMT at `validator` (active or candidate) and restarts
    /// the caller's 7-day lock at that validator.
    /// @param validator An active validator or a candidate.
    function stake(address validator) external payable {
        if (msg.value == 0) revert ZeroAmount();
        if (_status[validator] == Status.None) revert NotValidatorOrCandidate(validator);
        stakeOf[msg.sender][validator] += msg.value;
        lastStakeTime[msg.sender][validator] = block.timestamp;
        totalStakeAt[validator] += msg.value;
        totalStaked += msg.value;
        emit Staked(msg.sender, validator, msg.value);
    }

    /// @notice Unstakes `amount` wei of the caller's stake at `validator` into the
    /// caller's withdrawable balance. Allowed from 7 days after the caller's latest
    /// stake to that validator, whatever the validator's status.
    /// @param validator The validator staked at.
    /// @param amount Wei to unstake, non-zero and at most the stake.
    function unstake(address validator, uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        uint256 staked = stakeOf[msg.sender][validator];
        if (amount > staked) revert InsufficientStake(staked, amount);
        uint256 unlocksAt = lastStakeTime[msg.sender][validator] + LOCK_PERIOD;
        if (block.timestamp < unlocksAt) revert StakeLocked(unlocksAt);
        stakeOf[msg.sender][validator] = staked - amount;
        totalStakeAt[validator] -= amount;
        totalStaked -= amount;
        withdrawable[msg.sender] += amount;
        totalWithdrawable += amount;
        emit Unstaked(msg.sender, validator, amount);
    }

    /// @notice Pays the caller's whole withdrawable balance to the caller.
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
    /// which must be `nextEpoch`. Once `rootQuorum` validators voted for the same
    /// (root, total, resultHash), it is accepted and `nextEpoch` moves on.
    /// @param epoch Must equal `nextEpoch()`.
    /// @param root Merkle root of the cumulative payout tree (rewards-v1 section 6).
    /// @param total Sum of all cumulative payouts in the tree: not below the previous
    /// accepted total, and at most `totalClaimed() + rewardFunds()`.
    /// @param resultHash Hash of the epoch's published result, for audit.
    function submitRoot(uint256 epoch, bytes32 root, uint256 total, bytes32 resultHash) external {
        _onlyActive(msg.sender);
        if (epoch != nextEpoch) revert EpochNotNext(nextEpoch, epoch);
        if (_rootVoteOf[epoch][msg.sender] != 0) revert AlreadyVoted(epoch, msg.sender);
        uint256 previous = currentTotal();
        if (total < previous) revert TotalDecreased(previous, total);
        uint256 available = totalClaimed + rewardFunds();
        if (total > available) revert TotalExceedsFunds(available, total);

        bytes32 key = keccak256(abi.encode(epoch, root, total, resultHash));
        _rootVoteOf[epoch][msg.sender] = key;
        uint256 votes = ++_rootVotes[key];
        emit RootVoted(epoch, msg.sender, root, total, resultHash);
        if (votes >= rootQuorum) {
            epochRoot[epoch] = EpochRoot(root, total, resultHash);
            nextEpoch = epoch + 1;
            emit RootAccepted(epoch, root, total, resultHash);
        }
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

    /// @notice Root of the latest accepted epoch; zero before any.
    function currentRoot() public view returns (bytes32) {
        return nextEpoch == 0 ? bytes32(0) : epochRoot[nextEpoch - 1].root;
    }

    /// @notice Total of the latest accepted epoch; zero before any.
    function currentTotal() public view returns (uint256) {
        return nextEpoch == 0 ? 0 : epochRoot[nextEpoch - 1].total;
    }

    /// @notice Balance available for rewards: everything but stakes and pending
    /// withdrawals, which are delegators' own money.
    function rewardFunds() public view returns (uint256) {
        return address(this).balance - totalStaked - totalWithdrawable;
    }

    /// @notice Whether `validator` has a counted root vote for `epoch`.
    function hasVoted(uint256 epoch, address validator) external view returns (bool) {
        return _rootVoteOf[epoch][validator] != 0;
    }

    /// @notice Counted votes for (root, total, resultHash) in `epoch`.
    function voteCount(uint256 epoch, bytes32 root, uint256 total, bytes32 resultHash)
        external
        view
        returns (uint256)
    {
        return _rootVotes[keccak256(abi.encode(epoch, root, total, resultHash))];
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
        _setStatus(v, Status.Candidate);
        ++_setVersion;
        uint256 slot = _activeSlot[v];
        address last = _active[_active.length - 1];
        _active[slot - 1] = last;
        _activeSlot[last] = slot;
        _active.pop();
        delete _activeSlot[v];
        // Withdraw its pending root vote so that only active validators' votes count.
        bytes32 key = _rootVoteOf[nextEpoch][v];
        if (key != 0) {
            --_rootVotes[key];
            delete _rootVoteOf[nextEpoch][v];
        }
        emit ValidatorRemoved(v);
    }

    function _pay(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
