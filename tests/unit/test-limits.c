/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The limits table and every parser under it, with good and bad values. */

#include <glib.h>
#include <inttypes.h>

#include "limit-table.h"
#include "macro.h"

static void test_table(void) {
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

        for (LimitKey k = 0; k < _LIMIT_KEY_MAX; k++) {
                const LimitInfo *i = limit_info(k);

                g_assert_nonnull(i);
                g_assert_false(g_hash_table_contains(seen, i->cli));
                g_assert_false(g_hash_table_contains(seen, i->property));
                g_hash_table_add(seen, (gpointer) i->cli);
                g_hash_table_add(seen, (gpointer) i->property);
                g_assert_cmpint(limit_key_from_cli(i->cli), ==, k);
                g_assert_cmpint(limit_key_from_property(i->property), ==, k);
                g_assert_cmpint(limit_key_from_any(i->cli), ==, k);
                g_assert_cmpint(limit_key_from_any(i->property), ==, k);
                g_assert_true(streq(i->dbus_type, "t") || streq(i->dbus_type, "s"));
                g_assert_cmpint(streq(i->dbus_type, "s"), ==, i->kind == LIMIT_KIND_CPU_LIST);
        }
        g_assert_null(limit_info(_LIMIT_KEY_MAX));
        g_assert_null(limit_info(_LIMIT_KEY_INVALID));
        g_assert_cmpint(limit_key_from_cli("MemoryMax"), <, 0);
        g_assert_cmpint(limit_key_from_property("memory"), <, 0);
        g_assert_cmpint(limit_key_from_any("nonsense"), <, 0);
        g_assert_cmpint(limit_key_from_any(NULL), <, 0);
        g_assert_cmpint(limit_key_from_any("disk"), ==, LIMIT_DISK_QUOTA);
        g_assert_cmpint(limit_key_from_any("DiskQuota"), ==, LIMIT_DISK_QUOTA);
        g_assert_cmpint(limit_key_from_any("cpu-quota"), ==, LIMIT_CPU_QUOTA);
        g_assert_cmpint(limit_key_from_any("CPUQuotaPerSecUSec"), ==, LIMIT_CPU_QUOTA);
        g_assert_cmpint(limit_key_from_any("cpus"), ==, LIMIT_ALLOWED_CPUS);
        g_assert_true(limit_key_is_io(LIMIT_IO_WRITE_BANDWIDTH_MAX));
        g_assert_false(limit_key_is_io(LIMIT_IO_WEIGHT));
}

static void test_size(void) {
        static const struct {
                const char *s;
                uint64_t base, v;
        } good[] = {
                { "0", 1024, 0 },
                { "1023", 1024, 1023 },
                { "512B", 1024, 512 },
                { "1K", 1024, 1024 },
                { "512M", 1024, 512ULL << 20 },
                { "1.5G", 1024, 3ULL << 29 },
                { "2T", 1024, 2ULL << 40 },
                { "1P", 1024, 1ULL << 50 },
                { "15E", 1024, 15ULL << 60 },
                { "0.5K", 1024, 512 },
                { "50M", 1000, 50000000 },
                { "1.5K", 1000, 1500 },
                { "18446744073709551614", 1024, UINT64_MAX - 1 },
        };
        static const char *const bad[] = {
                "",         "M",    "-1",  "1.5.5", "1 M",
                " 1M",      "1m",   "1MB", "1.",    ".5",
                "1X",       "0x10", "1e3", "16E",   "18446744073709551616",
                "infinity",
        };
        uint64_t v;

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                g_assert_cmpint(parse_size(good[i].s, good[i].base, &v), ==, 0);
                g_assert_cmpuint(v, ==, good[i].v);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                g_assert_cmpint(parse_size(bad[i], 1024, &v), <, 0);
}

static void test_cpu_quota(void) {
        uint64_t v;

        g_assert_cmpint(parse_cpu_quota("150%", &v), ==, 0);
        g_assert_cmpuint(v, ==, 1500000);
        g_assert_cmpint(parse_cpu_quota("50%", &v), ==, 0);
        g_assert_cmpuint(v, ==, 500000);
        g_assert_cmpint(parse_cpu_quota("12.5%", &v), ==, 0);
        g_assert_cmpuint(v, ==, 125000);
        g_assert_cmpint(parse_cpu_quota("1.5", &v), ==, 0);
        g_assert_cmpuint(v, ==, 1500000);
        g_assert_cmpint(parse_cpu_quota("2", &v), ==, 0);
        g_assert_cmpuint(v, ==, 2000000);
        g_assert_cmpint(parse_cpu_quota("0.0001%", &v), ==, 0);
        g_assert_cmpuint(v, ==, 1);
        g_assert_cmpint(parse_cpu_quota("0%", &v), ==, -ERANGE);
        g_assert_cmpint(parse_cpu_quota("0", &v), ==, -ERANGE);
        g_assert_cmpint(parse_cpu_quota("", &v), <, 0);
        g_assert_cmpint(parse_cpu_quota("%", &v), <, 0);
        g_assert_cmpint(parse_cpu_quota("50%%", &v), <, 0);
        g_assert_cmpint(parse_cpu_quota("-50%", &v), <, 0);
        g_assert_cmpint(parse_cpu_quota("50 %", &v), <, 0);
        g_assert_cmpint(parse_cpu_quota("half", &v), <, 0);
        g_assert_cmpint(parse_cpu_quota("1.5G", &v), <, 0);
}

static void test_cpu_list(void) {
        static const char *const good[][2] = {
                { "0", "0" },       { "0-1,3", "0-1,3" }, { "3,0-1", "0-1,3" },
                { "1,0", "0-1" },   { "0-0", "0" },       { "5,6,7", "5-7" },
                { "0-3,2", "0-3" }, { "8191", "8191" },   { "0,2,4", "0,2,4" },
        };
        static const char *const bad[] = { "",   ",",  "0,",   ",0",  "1-0",   "a",
                                           "0-", "-1", "8192", "0 1", "0-1-2", "1.0" };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                g_autofree char *c = NULL;

                g_assert_cmpint(parse_cpu_list(good[i][0], &c), ==, 0);
                g_assert_cmpstr(c, ==, good[i][1]);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *c = NULL;

                g_assert_cmpint(parse_cpu_list(bad[i], &c), <, 0);
                g_assert_null(c);
        }
}

static void test_io_device(void) {
        const char *value;
        char *device;

        g_assert_cmpint(parse_io_device_value("50M", &device, &value), ==, 0);
        g_assert_null(device);
        g_assert_cmpstr(value, ==, "50M");
        g_assert_cmpint(parse_io_device_value("/dev/vda:50M", &device, &value), ==, 0);
        g_assert_cmpstr(device, ==, "/dev/vda");
        g_assert_cmpstr(value, ==, "50M");
        free(device);
        g_assert_cmpint(parse_io_device_value("254:0:1000", &device, &value), ==, 0);
        g_assert_cmpstr(device, ==, "254:0");
        g_assert_cmpstr(value, ==, "1000");
        free(device);
        g_assert_cmpint(parse_io_device_value("/dev/disk/by-path/pci-0000:00:04.0:5M", &device, &value), ==,
                        0);
        g_assert_cmpstr(device, ==, "/dev/disk/by-path/pci-0000:00:04.0");
        g_assert_cmpstr(value, ==, "5M");
        free(device);
        g_assert_cmpint(parse_io_device_value("vda:5M", &device, &value), ==, -EINVAL);
        g_assert_cmpint(parse_io_device_value("254:5M", &device, &value), ==, -EINVAL);
        g_assert_cmpint(parse_io_device_value(":5M", &device, &value), ==, -EINVAL);
        g_assert_cmpint(parse_io_device_value("/:5M", &device, &value), ==, -EINVAL);
        g_assert_cmpint(parse_io_device_value("1:a:5M", &device, &value), ==, -EINVAL);
}

/* limit_parse() of every key: good values format back to text that parses to the same value. */
static void test_parse_format(void) {
        static const struct {
                LimitKey k;
                const char *in, *canonical, *human;
        } good[] = {
                { LIMIT_MEMORY_MAX, "512M", "536870912", "512M" },
                { LIMIT_MEMORY_MAX, "1.5G", "1610612736", "1.5G" },
                { LIMIT_MEMORY_MAX, "infinity", "infinity", "infinity" },
                { LIMIT_MEMORY_HIGH, "100M", "104857600", "100M" },
                { LIMIT_MEMORY_SWAP_MAX, "0", "0", "0B" },
                { LIMIT_MEMORY_SWAP_MAX, "1G", "1073741824", "1G" },
                { LIMIT_CPU_QUOTA, "150%", "150%", "150%" },
                { LIMIT_CPU_QUOTA, "0.5", "50%", "50%" },
                { LIMIT_CPU_QUOTA, "infinity", "infinity", "infinity" },
                { LIMIT_CPU_WEIGHT, "200", "200", "200" },
                { LIMIT_CPU_WEIGHT, "1", "1", "1" },
                { LIMIT_CPU_WEIGHT, "10000", "10000", "10000" },
                { LIMIT_ALLOWED_CPUS, "1,0", "0-1", "0-1" },
                { LIMIT_TASKS_MAX, "256", "256", "256" },
                { LIMIT_TASKS_MAX, "infinity", "infinity", "infinity" },
                { LIMIT_IO_WEIGHT, "500", "500", "500" },
                { LIMIT_IO_READ_BANDWIDTH_MAX, "50M", "50000000", "50000000" },
                { LIMIT_IO_WRITE_BANDWIDTH_MAX, "/dev/vda:1K", "/dev/vda:1000", "/dev/vda:1000" },
                { LIMIT_IO_READ_IOPS_MAX, "254:0:100", "254:0:100", "254:0:100" },
                { LIMIT_IO_WRITE_IOPS_MAX, "infinity", "infinity", "infinity" },
                { LIMIT_DISK_QUOTA, "2G", "2147483648", "2G" },
        };
        static const struct {
                LimitKey k;
                const char *in;
        } bad[] = {
                { LIMIT_MEMORY_MAX, "" },
                { LIMIT_MEMORY_MAX, "0" },
                { LIMIT_MEMORY_MAX, "lots" },
                { LIMIT_MEMORY_MAX, "-1" },
                { LIMIT_MEMORY_MAX, "50%" },
                { LIMIT_MEMORY_HIGH, "1Q" },
                { LIMIT_MEMORY_SWAP_MAX, "1.5.G" },
                { LIMIT_CPU_QUOTA, "0%" },
                { LIMIT_CPU_QUOTA, "lots" },
                { LIMIT_CPU_WEIGHT, "0" },
                { LIMIT_CPU_WEIGHT, "10001" },
                { LIMIT_CPU_WEIGHT, "infinity" },
                { LIMIT_CPU_WEIGHT, "1.5" },
                { LIMIT_ALLOWED_CPUS, "x" },
                { LIMIT_ALLOWED_CPUS, "infinity" },
                { LIMIT_TASKS_MAX, "0" },
                { LIMIT_TASKS_MAX, "1.5" },
                { LIMIT_TASKS_MAX, "10K" },
                { LIMIT_IO_WEIGHT, "0" },
                { LIMIT_IO_READ_BANDWIDTH_MAX, "0" },
                { LIMIT_IO_READ_BANDWIDTH_MAX, "vda:5M" },
                { LIMIT_IO_WRITE_IOPS_MAX, "/dev/vda:" },
                { LIMIT_IO_WRITE_IOPS_MAX, "5M" },
                { LIMIT_DISK_QUOTA, "0" },
                { LIMIT_DISK_QUOTA, "2 G" },
                { _LIMIT_KEY_MAX, "1" },
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                g_autofree char *canonical = NULL, *human = NULL;
                LimitValue v = {}, w = {};

                g_assert_cmpint(limit_parse(good[i].k, good[i].in, &v), ==, 0);
                g_assert_true(v.set);
                g_assert_cmpint(limit_format(good[i].k, &v, &canonical), ==, 0);
                g_assert_cmpstr(canonical, ==, good[i].canonical);
                g_assert_cmpint(limit_format_human(good[i].k, &v, &human), ==, 0);
                g_assert_cmpstr(human, ==, good[i].human);
                g_assert_cmpint(limit_parse(good[i].k, canonical, &w), ==, 0);
                g_assert_true(limit_value_equal(&v, &w));
                limit_value_done(&v);
                limit_value_done(&w);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                LimitValue v = {};

                if (limit_parse(bad[i].k, bad[i].in, &v) >= 0)
                        g_error("key %d accepted \"%s\"", bad[i].k, bad[i].in);
                g_assert_false(v.set);
        }
}

static void test_from_number(void) {
        LimitValue v;

        g_assert_cmpint(limit_from_number(LIMIT_MEMORY_MAX, 1 << 20, &v), ==, 0);
        g_assert_cmpuint(v.value, ==, 1 << 20);
        g_assert_cmpint(limit_from_number(LIMIT_MEMORY_MAX, UINT64_MAX, &v), ==, 0);
        g_assert_cmpint(limit_from_number(LIMIT_MEMORY_MAX, 0, &v), ==, -ERANGE);
        g_assert_cmpint(limit_from_number(LIMIT_MEMORY_SWAP_MAX, 0, &v), ==, 0);
        g_assert_cmpint(limit_from_number(LIMIT_CPU_WEIGHT, 0, &v), ==, -ERANGE);
        g_assert_cmpint(limit_from_number(LIMIT_CPU_WEIGHT, 10001, &v), ==, -ERANGE);
        g_assert_cmpint(limit_from_number(LIMIT_CPU_WEIGHT, UINT64_MAX, &v), ==, -ERANGE);
        g_assert_cmpint(limit_from_number(LIMIT_ALLOWED_CPUS, 1, &v), ==, -EINVAL);
        g_assert_cmpint(limit_from_number(LIMIT_TASKS_MAX, 0, &v), ==, -ERANGE);
        g_assert_cmpint(limit_from_number(_LIMIT_KEY_INVALID, 1, &v), ==, -EINVAL);
        g_assert_cmpuint(limit_value_effective(LIMIT_CPU_WEIGHT, &(LimitValue) {}), ==, 100);
        g_assert_cmpuint(limit_value_effective(LIMIT_MEMORY_MAX, &(LimitValue) {}), ==, UINT64_MAX);
}

static void test_set(void) {
        ZoneLimits a = {}, b = {}, c = {};
        g_auto(GStrv) lines = NULL;

        g_assert_cmpint(zone_limits_parse_assignment(&a, "MemoryMax=512M"), ==, 0);
        g_assert_cmpint(zone_limits_parse_assignment(&a, "AllowedCPUs=0"), ==, 0);
        g_assert_cmpint(zone_limits_parse_assignment(&a, "IOWriteBandwidthMax=/dev/vda:5M"), ==, 0);
        g_assert_cmpint(zone_limits_parse_assignment(&a, "memory=512M"), ==, -EINVAL);
        g_assert_cmpint(zone_limits_parse_assignment(&a, "MemoryMax"), ==, -EINVAL);
        g_assert_cmpint(zone_limits_parse_assignment(&a, "MemoryMax=x"), ==, -EINVAL);
        g_assert_cmpint(zone_limits_to_strv(&a, &lines), ==, 0);
        g_assert_cmpuint(g_strv_length(lines), ==, 3);
        g_assert_cmpstr(lines[0], ==, "MemoryMax=536870912");
        g_assert_cmpstr(lines[1], ==, "AllowedCPUs=0");
        g_assert_cmpstr(lines[2], ==, "IOWriteBandwidthMax=/dev/vda:5000000");

        g_assert_cmpint(zone_limits_copy(&b, &a), ==, 0);
        g_assert_cmpint(zone_limits_parse_assignment(&c, "MemoryMax=1G"), ==, 0);
        g_assert_cmpint(zone_limits_parse_assignment(&c, "TasksMax=10"), ==, 0);
        zone_limits_merge(&b, &c);
        g_assert_cmpuint(b.v[LIMIT_MEMORY_MAX].value, ==, 1ULL << 30);
        g_assert_cmpuint(b.v[LIMIT_TASKS_MAX].value, ==, 10);
        g_assert_cmpstr(b.v[LIMIT_ALLOWED_CPUS].text, ==, "0");
        g_assert_false(c.v[LIMIT_MEMORY_MAX].set);
        g_assert_cmpuint(a.v[LIMIT_MEMORY_MAX].value, ==, 512ULL << 20);
        zone_limits_done(&a);
        zone_limits_done(&b);
        zone_limits_done(&c);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/limits/table", test_table);
        g_test_add_func("/limits/size", test_size);
        g_test_add_func("/limits/cpu-quota", test_cpu_quota);
        g_test_add_func("/limits/cpu-list", test_cpu_list);
        g_test_add_func("/limits/io-device", test_io_device);
        g_test_add_func("/limits/parse-format", test_parse_format);
        g_test_add_func("/limits/from-number", test_from_number);
        g_test_add_func("/limits/set", test_set);
        return g_test_run();
}
