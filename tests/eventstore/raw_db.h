// The RocksDB database under a closed store, opened raw (RocksDB's default options, every
// column family), for tests that damage a store behind its back.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "eventstore/keys.h"
#include "eventstore/rocksdb_event_store.h"
#include "rocksdb/db.h"

namespace rating::eventstore::testing {

class RawDb {
 public:
  explicit RawDb(const std::string& dir) {
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : RocksDbEventStore::ColumnFamilyNames()) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DB* db = nullptr;
    status_ = rocksdb::DB::Open(rocksdb::DBOptions(), dir, descriptors, &handles_, &db);
    db_.reset(db);
  }
  ~RawDb() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  const rocksdb::Status& status() const { return status_; }

  std::string GetEvent(uint64_t position) {
    std::string value;
    EXPECT_TRUE(db_->Get({}, handles_[1], PositionKey(position), &value).ok());
    return value;
  }
  void PutEvent(uint64_t position, const std::string& value) {
    EXPECT_TRUE(db_->Put(Synced(), handles_[1], PositionKey(position), value).ok());
  }
  void DeleteEvent(uint64_t position) {
    EXPECT_TRUE(db_->Delete(Synced(), handles_[1], PositionKey(position)).ok());
  }
  // A key of the default column family (the store's metadata).
  void DeleteMetadata(const std::string& key) {
    EXPECT_TRUE(db_->Delete(Synced(), handles_[0], key).ok());
  }
  // Writes every memtable to table files (and drops the WAL they came from).
  void Flush() { EXPECT_TRUE(db_->Flush(rocksdb::FlushOptions(), handles_).ok()); }

 private:
  static rocksdb::WriteOptions Synced() {
    rocksdb::WriteOptions options;
    options.sync = true;
    return options;
  }

  rocksdb::Status status_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace rating::eventstore::testing
