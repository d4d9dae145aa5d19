#pragma once
/// The course tester's verdicts on what it observed (shared/TESTER.md, TESTER-2BCD.md:
/// checkOneLeader, checkTerms, checkNoLeader, nCommitted), without CAF: the in-process
/// cluster (testing/test_cluster.hpp) gathers the peers' answers and apply channels through
/// its actors and asks these functions what they mean. Each returns the failure message
/// the tester would print, or the value it returns.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace raft::testing {

/// A command as failure messages show it: whole up to 40 characters, else its start and
/// length.
std::string shown(const std::string& cmd);

/// One connected peer's answer to GetState().
struct observed_state {
  std::uint64_t peer = 0;
  std::uint64_t term = 0;
  bool is_leader = false;
};

/// checkOneLeader's round: the failure when some term has more than one leader; otherwise
/// the leader of the highest term, if any claims to lead.
std::variant<std::optional<std::uint64_t>, std::string>
one_leader_round(const std::vector<observed_state>& states);

/// checkTerms: the term every answering peer agrees on, or the failure.
std::variant<std::uint64_t, std::string> agreed_term(const std::vector<observed_state>& states);

/// checkNoLeader: the failure naming a peer that claims to lead, if any.
std::optional<std::string> any_leader(const std::vector<observed_state>& states);

/// nCommitted(index) over the services' applied commands (`applied[peer - 1]`: index →
/// command): how many applied `index` and the command, or the failure when two differ.
struct committed {
  std::size_t count = 0;
  std::optional<std::string> command;
};
std::variant<committed, std::string>
committed_at(const std::vector<std::map<std::uint64_t, std::string>>& applied,
             std::uint64_t index);

} // namespace raft::testing
