// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Reenterer: TEST ONLY, never deploy
/// @notice A delegator/claimant that, when paid, calls back into the target once
/// with preset calldata and records how that call ended, without reverting itself.
contract Reenterer {
    /// @notice The contract to forward calls to and to re-enter.
    address public immutable target;
    /// @notice Calldata sent to `target` from `receive()`; empty disables re-entry.
    bytes public reentryCall;
    /// @notice Whether `receive()` tried the re-entry.
    bool public attempted;
    /// @notice Whether the re-entrant call succeeded.
    bool public reentrySucceeded;
    /// @notice Return or revert data of the re-entrant call.
    bytes public reentryResult;
    /// @notice When set, `receive()` reverts (a payee that rejects CMT).
    bool public reject;

    /// @notice Binds the reenterer to `target_`.
    constructor(address target_) {
        target = target_;
    }

    /// @notice Sets the calldata used to re-enter `target` on the next payment.
    function setReentry(bytes calldata data) external {
        reentryCall = data;
        attempted = false;
    }

    /// @notice Makes `receive()` revert (true) or accept payments (false).
    function setReject(bool reject_) external {
        reject = reject_;
    }

    /// @notice Calls `target` with `data` and the sent value, bubbling up a revert.
    function forward(bytes calldata data) external payable {
        (bool ok, bytes memory ret) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    /// @notice Receives a payment and tries the re-entry once.
    receive() external payable {
        if (reject) revert();
        if (attempted || reentryCall.length == 0) return;
        attempted = true;
        (reentrySucceeded, reentryResult) = target.call(reentryCall);
    }
}
