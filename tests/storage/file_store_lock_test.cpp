#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include "storage/file_store.hpp"
#include "temp_dir.hpp"

using raft::data_dir_in_use;
using raft::file_store;
using raft_test::temp_dir;
using Catch::Matchers::Contains;

TEST_CASE("a second store on the same directory is refused") {
  temp_dir dir;
  file_store::initialize(dir.path());
  file_store first{dir.path()};
  CHECK_THROWS_AS(file_store{dir.path()}, data_dir_in_use);
  CHECK_THROWS_WITH(file_store{dir.path()},
                    Contains(dir.path() + ": data directory is in use by another store (" +
                             (dir / "lock") + " is locked by pid " +
                             std::to_string(::getpid()) + ")"));
  // The refused attempt did not disturb the first store.
  first.save(2, 2);
  CHECK(first.load().current_term == 2);
}

TEST_CASE("a second process on the same directory is refused") {
  temp_dir dir;
  file_store::initialize(dir.path());
  file_store first{dir.path()};
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child must not return into Catch: report through the exit status only.
    int code = 1;
    try {
      file_store second{dir.path()};
      code = 2;  // wrongly accepted
    } catch (const data_dir_in_use&) {
      code = 0;
    } catch (...) {
    }
    ::_exit(code);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("the directory can be reused once the first store is gone") {
  temp_dir dir;
  file_store::initialize(dir.path());
  {
    file_store first{dir.path()};
    first.save(3, std::nullopt);
  }
  file_store second{dir.path()};
  CHECK(second.load().current_term == 3);
}
