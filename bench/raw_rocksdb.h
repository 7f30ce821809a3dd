// Raw RocksDB for the benchmarks' baselines: the table options of our store (one LRU block
// cache, a bloom filter, its write buffer) and RocksDB's defaults elsewhere, so that concurrent
// writers share RocksDB's own group commit. Layer: bench.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/check.h"
#include "eventstore/rocksdb_event_store.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"

namespace rating::bench {

// Opens `dir` (created if missing) with the column families `names`, one handle each in
// `handles` (the caller destroys them before the database). Aborts on failure: a baseline
// that cannot open has nothing to measure.
inline std::unique_ptr<rocksdb::DB> OpenRawRocksDb(
    const std::string& dir, const std::vector<std::string>& names,
    std::vector<rocksdb::ColumnFamilyHandle*>* handles) {
  eventstore::RocksDbEventStoreOptions defaults;
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(defaults.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = cache;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    rocksdb::ColumnFamilyOptions cf;
    cf.write_buffer_size = defaults.write_buffer_bytes;
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    descriptors.emplace_back(name, cf);
  }
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, descriptors, handles, &db);
  RATING_CHECK(s.ok());
  return std::unique_ptr<rocksdb::DB>(db);
}

}  // namespace rating::bench
