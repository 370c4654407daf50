/*
 * A driver-shaped NVML for tests: the entry points NvmlGpuProbe binds, with nvml.h's signatures and struct layouts,
 * answering from a script. Built by the tests (NvmlStubLibrary.cs), never shipped.
 *
 * Where it matters it behaves like the driver: versioned structs are checked (a wrong version gets
 * NVML_ERROR_ARGUMENT_VERSION_MISMATCH), every call before nvmlInit_v2 or after the last nvmlShutdown gets
 * NVML_ERROR_UNINITIALIZED, strings that do not fit get NVML_ERROR_INSUFFICIENT_SIZE, the process list follows the
 * count / INSUFFICIENT_SIZE / retry protocol, and a MIG-enabled GPU answers NOT_SUPPORTED to utilization, encoder and
 * decoder queries.
 *
 * The script is "nvml-stub.script" in the folder this library was loaded from, read at the first nvmlInit_v2, so
 * every copy of the library in its own folder is its own driver. One directive a line, '#' starts a comment:
 *   driver <version>                 nvmlSystemGetDriverVersion
 *   nvml <version>                   nvmlSystemGetNVMLVersion
 *   init <code>                      what nvmlInit_v2 answers (default 0)
 *   gpu <index> <uuid>               GPUs in index order
 *   name <index> <text to end of line>
 *   set <index> <key> <value>        total reserved free used (bytes), util memutil temp power limit (mW) enc dec
 *                                    mig (0/1), clock0..clock3 (MHz by nvmlClockType_t)
 *   process <index> <pid> <bytes|na> a running compute process; na = NVML_VALUE_NOT_AVAILABLE
 *   race <index> <n> <times>         after each of the first <times> process-list calls, n more processes start
 *   fail <index|*> <function|*> <code> [from <probe>] [until <probe>]
 *                                    that function on that GPU answers <code>; probes are counted by
 *                                    nvmlDeviceGetCount_v2 calls (the first is probe 1), bounds inclusive
 *
 * nvmlStub_CallCount(name) and nvmlStub_Probe() let a test see what the probe asked.
 * Built with -DNVML_STUB_OLD_DRIVER it lacks the exports newer than R510 the probe falls back from.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int nvmlReturn_t;
typedef struct stub_gpu *nvmlDevice_t;

enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_DRIVER_NOT_LOADED = 9,
    NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25,
};

typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } nvmlMemory_v2_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned int version; int sensorType; int temperature; } nvmlTemperature_v1_t;
typedef struct { unsigned int pid; unsigned long long usedGpuMemory; } nvmlProcessInfo_v1_t;

#define NVML_STRUCT_VERSION(data, ver) (unsigned int)(sizeof(nvml##data##_v##ver##_t) | (ver << 24U))
#define NVML_VALUE_NOT_AVAILABLE (~0ULL)

/* The real sizes, so that a layout mistake on either side fails the build rather than a test. */
_Static_assert(sizeof(nvmlMemory_t) == 24, "nvmlMemory_t");
_Static_assert(sizeof(nvmlMemory_v2_t) == 40, "nvmlMemory_v2_t");
_Static_assert(sizeof(nvmlUtilization_t) == 8, "nvmlUtilization_t");
_Static_assert(sizeof(nvmlTemperature_v1_t) == 12, "nvmlTemperature_v1_t");
_Static_assert(sizeof(nvmlProcessInfo_v1_t) == 16, "nvmlProcessInfo_v1_t");

#define MAX_GPUS 16
#define MAX_PROCESSES 256
#define MAX_RULES 64
#define MAX_COUNTERS 64

struct stub_gpu {
    int present;
    char uuid[96];
    char name[96];
    unsigned long long total, reserved, free, used;
    unsigned int util, memutil, power, limit, enc, dec, mig;
    int temp;
    unsigned int clocks[4];
    unsigned int pids[MAX_PROCESSES];
    unsigned long long process_bytes[MAX_PROCESSES];
    int processes;
    int race_n, race_times, race_done;
};

struct stub_rule {
    int gpu; /* -1: any */
    char function[64]; /* "*": any */
    int code, from, until;
};

struct stub_counter {
    char function[64];
    unsigned int calls;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int loaded, init_code, initialized, gpu_count;
static unsigned int probe;
static char driver_version[80] = "stub", nvml_version[80] = "stub";
static struct stub_gpu gpus[MAX_GPUS];
static struct stub_rule rules[MAX_RULES];
static int rule_count;
static struct stub_counter counters[MAX_COUNTERS];

static void count_call(const char *function)
{
    for (int i = 0; i < MAX_COUNTERS; i++) {
        if (counters[i].function[0] == 0) {
            snprintf(counters[i].function, sizeof counters[i].function, "%s", function);
        }
        if (strcmp(counters[i].function, function) == 0) {
            counters[i].calls++;
            return;
        }
    }
}

static struct stub_gpu *gpu_at(const char *text)
{
    int index = atoi(text);
    if (index < 0 || index >= MAX_GPUS) {
        return NULL;
    }
    if (index >= gpu_count) {
        gpu_count = index + 1;
    }
    return &gpus[index];
}

static void set_value(struct stub_gpu *gpu, const char *key, const char *value)
{
    unsigned long long v = strtoull(value, NULL, 0);
    if (!strcmp(key, "total")) gpu->total = v;
    else if (!strcmp(key, "reserved")) gpu->reserved = v;
    else if (!strcmp(key, "free")) gpu->free = v;
    else if (!strcmp(key, "used")) gpu->used = v;
    else if (!strcmp(key, "util")) gpu->util = (unsigned int)v;
    else if (!strcmp(key, "memutil")) gpu->memutil = (unsigned int)v;
    else if (!strcmp(key, "temp")) gpu->temp = (int)v;
    else if (!strcmp(key, "power")) gpu->power = (unsigned int)v;
    else if (!strcmp(key, "limit")) gpu->limit = (unsigned int)v;
    else if (!strcmp(key, "enc")) gpu->enc = (unsigned int)v;
    else if (!strcmp(key, "dec")) gpu->dec = (unsigned int)v;
    else if (!strcmp(key, "mig")) gpu->mig = (unsigned int)v;
    else if (!strncmp(key, "clock", 5) && key[5] >= '0' && key[5] <= '3' && key[6] == 0) gpu->clocks[key[5] - '0'] = (unsigned int)v;
    else fprintf(stderr, "nvml stub: unknown key '%s'\n", key);
}

/* Reads the script beside this library; without one, nvmlInit_v2 answers DRIVER_NOT_LOADED. */
static void load_script(void)
{
    Dl_info info;
    char path[4096];
    if (!dladdr((void *)&load_script, &info) || info.dli_fname == NULL) {
        init_code = NVML_ERROR_DRIVER_NOT_LOADED;
        return;
    }
    snprintf(path, sizeof path, "%s", info.dli_fname);
    char *slash = strrchr(path, '/');
    snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "nvml-stub.script");
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        init_code = NVML_ERROR_DRIVER_NOT_LOADED;
        return;
    }

    char line[1024];
    while (fgets(line, sizeof line, file)) {
        line[strcspn(line, "\r\n")] = 0;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char word[64] = "", a[128] = "", b[128] = "", c[128] = "";
        int rest = 0;
        int n = sscanf(line, "%63s %127s %n%127s %127s", word, a, &rest, b, c);
        if (n <= 0) continue;
        struct stub_gpu *gpu;
        if (!strcmp(word, "driver")) snprintf(driver_version, sizeof driver_version, "%s", a);
        else if (!strcmp(word, "nvml")) snprintf(nvml_version, sizeof nvml_version, "%s", a);
        else if (!strcmp(word, "init")) init_code = atoi(a);
        else if (!strcmp(word, "gpu") && (gpu = gpu_at(a))) {
            gpu->present = 1;
            snprintf(gpu->uuid, sizeof gpu->uuid, "%s", b);
        }
        else if (!strcmp(word, "name") && (gpu = gpu_at(a))) snprintf(gpu->name, sizeof gpu->name, "%s", line + rest);
        else if (!strcmp(word, "set") && (gpu = gpu_at(a))) set_value(gpu, b, c);
        else if (!strcmp(word, "process") && (gpu = gpu_at(a)) && gpu->processes < MAX_PROCESSES) {
            gpu->pids[gpu->processes] = (unsigned int)strtoul(b, NULL, 0);
            gpu->process_bytes[gpu->processes] = !strcmp(c, "na") ? NVML_VALUE_NOT_AVAILABLE : strtoull(c, NULL, 0);
            gpu->processes++;
        }
        else if (!strcmp(word, "race") && (gpu = gpu_at(a))) {
            gpu->race_n = atoi(b);
            gpu->race_times = atoi(c);
        }
        else if (!strcmp(word, "fail") && rule_count < MAX_RULES) {
            struct stub_rule *rule = &rules[rule_count++];
            char bound1[16] = "", bound2[16] = "";
            int from = 0, until = 0;
            rule->gpu = !strcmp(a, "*") ? -1 : atoi(a);
            snprintf(rule->function, sizeof rule->function, "%s", b);
            rule->code = atoi(c);
            rule->from = 0;
            rule->until = 0x7fffffff;
            /* The optional bounds follow the code: "fail 1 * 15 from 3 until 5". */
            int parsed = sscanf(line, "%*s %*s %*s %*s %15s %d %15s %d", bound1, &from, bound2, &until);
            if (parsed >= 2 && !strcmp(bound1, "from")) rule->from = from;
            if (parsed >= 2 && !strcmp(bound1, "until")) rule->until = from;
            if (parsed >= 4 && !strcmp(bound2, "until")) rule->until = until;
        }
        else fprintf(stderr, "nvml stub: cannot read '%s'\n", line);
    }
    fclose(file);
}

/* The scripted failure for this call, if any; SUCCESS otherwise. */
static nvmlReturn_t scripted(const char *function, int gpu)
{
    for (int i = 0; i < rule_count; i++) {
        const struct stub_rule *rule = &rules[i];
        if ((rule->gpu == -1 || rule->gpu == gpu)
            && (!strcmp(rule->function, "*") || !strcmp(rule->function, function))
            && (int)probe >= rule->from && (int)probe <= rule->until) {
            return rule->code;
        }
    }
    return NVML_SUCCESS;
}

static int gpu_index(nvmlDevice_t device)
{
    if (device < &gpus[0] || device >= &gpus[gpu_count] || !device->present) {
        return -1;
    }
    return (int)(device - &gpus[0]);
}

/* Common entry of every device call: counted, initialized, a real handle, then the script's say. */
#define DEVICE_CALL(device) \
    pthread_mutex_lock(&lock); \
    count_call(__func__); \
    int index = gpu_index(device); \
    nvmlReturn_t result = !initialized ? NVML_ERROR_UNINITIALIZED \
        : index < 0 ? NVML_ERROR_INVALID_ARGUMENT \
        : scripted(__func__, index); \
    struct stub_gpu *gpu = index < 0 ? NULL : &gpus[index]; \
    (void)gpu; \
    if (result != NVML_SUCCESS) goto done

#define DONE \
    done: \
    pthread_mutex_unlock(&lock); \
    return result

static nvmlReturn_t copy_string(const char *value, char *buffer, unsigned int length)
{
    if (buffer == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(value) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
    memcpy(buffer, value, strlen(value) + 1);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlInit_v2(void)
{
    pthread_mutex_lock(&lock);
    count_call(__func__);
    if (!loaded) {
        load_script();
        loaded = 1;
    }
    nvmlReturn_t result = init_code;
    if (result == NVML_SUCCESS) initialized++;
    pthread_mutex_unlock(&lock);
    return result;
}

nvmlReturn_t nvmlShutdown(void)
{
    pthread_mutex_lock(&lock);
    count_call(__func__);
    nvmlReturn_t result = initialized ? NVML_SUCCESS : NVML_ERROR_UNINITIALIZED;
    if (initialized) initialized--;
    pthread_mutex_unlock(&lock);
    return result;
}

const char *nvmlErrorString(nvmlReturn_t result)
{
    switch (result) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 3: return "Not Supported";
    case 7: return "Insufficient Size";
    case 9: return "Driver Not Loaded";
    case 15: return "GPU is lost";
    case 25: return "Argument version mismatch";
    default: return "Unknown Error";
    }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length)
{
    pthread_mutex_lock(&lock);
    count_call(__func__);
    nvmlReturn_t result = !initialized ? NVML_ERROR_UNINITIALIZED : copy_string(driver_version, version, length);
    pthread_mutex_unlock(&lock);
    return result;
}

nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length)
{
    pthread_mutex_lock(&lock);
    count_call(__func__);
    nvmlReturn_t result = !initialized ? NVML_ERROR_UNINITIALIZED : copy_string(nvml_version, version, length);
    pthread_mutex_unlock(&lock);
    return result;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount)
{
    pthread_mutex_lock(&lock);
    count_call(__func__);
    nvmlReturn_t result = NVML_ERROR_UNINITIALIZED;
    if (initialized) {
        probe++;
        result = deviceCount == NULL ? NVML_ERROR_INVALID_ARGUMENT : scripted(__func__, -1);
        if (result == NVML_SUCCESS) *deviceCount = (unsigned int)gpu_count;
    }
    pthread_mutex_unlock(&lock);
    return result;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
{
    pthread_mutex_lock(&lock);
    count_call(__func__);
    nvmlReturn_t result = !initialized ? NVML_ERROR_UNINITIALIZED
        : device == NULL || index >= (unsigned int)gpu_count || !gpus[index].present ? NVML_ERROR_INVALID_ARGUMENT
        : scripted(__func__, (int)index);
    if (result == NVML_SUCCESS) *device = &gpus[index];
    pthread_mutex_unlock(&lock);
    return result;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)
{
    DEVICE_CALL(device);
    result = copy_string(gpu->uuid, uuid, length);
    DONE;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)
{
    DEVICE_CALL(device);
    result = copy_string(gpu->name, name, length);
    DONE;
}

/* v1: used includes what the driver reserves. */
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory)
{
    DEVICE_CALL(device);
    if (memory == NULL) { result = NVML_ERROR_INVALID_ARGUMENT; goto done; }
    memory->total = gpu->total;
    memory->free = gpu->free;
    memory->used = gpu->used + gpu->reserved;
    DONE;
}

#ifndef NVML_STUB_OLD_DRIVER
nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory)
{
    DEVICE_CALL(device);
    if (memory == NULL) { result = NVML_ERROR_INVALID_ARGUMENT; goto done; }
    if (memory->version != NVML_STRUCT_VERSION(Memory, 2)) { result = NVML_ERROR_ARGUMENT_VERSION_MISMATCH; goto done; }
    memory->total = gpu->total;
    memory->reserved = gpu->reserved;
    memory->free = gpu->free;
    memory->used = gpu->used;
    DONE;
}

nvmlReturn_t nvmlDeviceGetTemperatureV(nvmlDevice_t device, nvmlTemperature_v1_t *temperature)
{
    DEVICE_CALL(device);
    if (temperature == NULL) { result = NVML_ERROR_INVALID_ARGUMENT; goto done; }
    if (temperature->version != NVML_STRUCT_VERSION(Temperature, 1)) { result = NVML_ERROR_ARGUMENT_VERSION_MISMATCH; goto done; }
    if (temperature->sensorType != 0) { result = NVML_ERROR_INVALID_ARGUMENT; goto done; }
    temperature->temperature = gpu->temp;
    DONE;
}
#endif

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensorType, unsigned int *temp)
{
    DEVICE_CALL(device);
    if (temp == NULL || sensorType != 0) { result = NVML_ERROR_INVALID_ARGUMENT; goto done; }
    *temp = (unsigned int)gpu->temp;
    DONE;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization)
{
    DEVICE_CALL(device);
    if (utilization == NULL) { result = NVML_ERROR_INVALID_ARGUMENT; goto done; }
    if (gpu->mig) { result = NVML_ERROR_NOT_SUPPORTED; goto done; }
    utilization->gpu = gpu->util;
    utilization->memory = gpu->memutil;
    DONE;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power)
{
    DEVICE_CALL(device);
    if (power == NULL) { result = NVML_ERROR_INVALID_ARGUMENT; goto done; }
    *power = gpu->power;
    DONE;
}

nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *limit)
{
    DEVICE_CALL(device);
    if (limit == NULL) { result = NVML_ERROR_INVALID_ARGUMENT; goto done; }
    *limit = gpu->limit;
    DONE;
}

nvmlReturn_t nvmlDeviceGetEncoderUtilization(nvmlDevice_t device, unsigned int *utilization, unsigned int *samplingPeriodUs)
{
    DEVICE_CALL(device);
    if (utilization == NULL || samplingPeriodUs == NULL) { result = NVML_ERROR_INVALID_ARGUMENT; goto done; }
    if (gpu->mig) { result = NVML_ERROR_NOT_SUPPORTED; goto done; }
    *utilization = gpu->enc;
    *samplingPeriodUs = 167000;
    DONE;
}

nvmlReturn_t nvmlDeviceGetDecoderUtilization(nvmlDevice_t device, unsigned int *utilization, unsigned int *samplingPeriodUs)
{
    DEVICE_CALL(device);
    if (utilization == NULL || samplingPeriodUs == NULL) { result = NVML_ERROR_INVALID_ARGUMENT; goto done; }
    if (gpu->mig) { result = NVML_ERROR_NOT_SUPPORTED; goto done; }
    *utilization = gpu->dec;
    *samplingPeriodUs = 167000;
    DONE;
}

nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, int type, unsigned int *clock)
{
    DEVICE_CALL(device);
    if (clock == NULL || type < 0 || type > 3) { result = NVML_ERROR_INVALID_ARGUMENT; goto done; }
    *clock = gpu->clocks[type];
    DONE;
}

nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *currentMode, unsigned int *pendingMode)
{
    DEVICE_CALL(device);
    if (currentMode == NULL || pendingMode == NULL) { result = NVML_ERROR_INVALID_ARGUMENT; goto done; }
    *currentMode = gpu->mig;
    *pendingMode = gpu->mig;
    DONE;
}

/* nvml.h l.7370ff: too small a buffer (or none) gets INSUFFICIENT_SIZE and the count needed. */
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_v1_t *infos)
{
    DEVICE_CALL(device);
    if (infoCount == NULL || (*infoCount > 0 && infos == NULL)) { result = NVML_ERROR_INVALID_ARGUMENT; goto done; }
    int running = gpu->processes + gpu->race_n * gpu->race_done;
    if (running > MAX_PROCESSES) running = MAX_PROCESSES;
    if (*infoCount < (unsigned int)running) {
        *infoCount = (unsigned int)running;
        result = NVML_ERROR_INSUFFICIENT_SIZE;
    } else {
        for (int i = 0; i < running; i++) {
            int scripted_entry = i < gpu->processes;
            infos[i].pid = scripted_entry ? gpu->pids[i] : 70000u + (unsigned int)i;
            infos[i].usedGpuMemory = scripted_entry ? gpu->process_bytes[i] : (unsigned long long)(i + 1) << 20;
        }
        *infoCount = (unsigned int)running;
    }
    /* Processes that start between the sizing call and the next one. */
    if (gpu->race_done < gpu->race_times) gpu->race_done++;
    DONE;
}

unsigned int nvmlStub_CallCount(const char *function)
{
    pthread_mutex_lock(&lock);
    unsigned int calls = 0;
    for (int i = 0; i < MAX_COUNTERS && counters[i].function[0]; i++) {
        if (!strcmp(counters[i].function, function)) calls = counters[i].calls;
    }
    pthread_mutex_unlock(&lock);
    return calls;
}

unsigned int nvmlStub_Probe(void)
{
    pthread_mutex_lock(&lock);
    unsigned int current = probe;
    pthread_mutex_unlock(&lock);
    return current;
}
