/* CoreMark-like mixed workload: linked-list find/reverse, integer matrix ops, a state machine
 * scanning a string, and CRC-16 over the results (the four kernels of EEMBC CoreMark). */
#include <stdint.h>

typedef struct node {
    struct node *next;
    int16_t data, idx;
} node;

#define LIST 400
#define MN 24
static node nodes[LIST];
static int16_t ma[MN][MN], mb[MN][MN];
static int32_t mc[MN][MN];
static char text[1024];

static uint16_t crc16(uint16_t crc, uint8_t data)
{
    for (int i = 0; i < 8; i++) {
        uint8_t x = (uint8_t)((data ^ crc) & 1);
        data >>= 1;
        crc = x ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
    }
    return crc;
}

static node *list_reverse(node *l)
{
    node *prev = 0;
    while (l) {
        node *n = l->next;
        l->next = prev;
        prev = l;
        l = n;
    }
    return prev;
}

static int list_work(node **head, int16_t seed)
{
    int found = 0;
    for (int k = 0; k < 8; k++) {
        int16_t want = (int16_t)((seed + k * 37) % LIST);
        for (node *n = *head; n; n = n->next)
            if (n->data == want) {
                found += n->idx;
                break;
            }
        *head = list_reverse(*head);
    }
    return found;
}

static int32_t matrix_work(int16_t seed)
{
    int32_t acc = 0;
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++)
            ma[i][j] = (int16_t)(ma[i][j] + seed), mb[i][j] = (int16_t)(mb[i][j] ^ seed);
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++) {
            int32_t s = 0;
            for (int k = 0; k < MN; k++)
                s += ma[i][k] * mb[k][j];
            mc[i][j] = s;
            acc += (s > 1000) ? 1 : (s & 7);
        }
    return acc;
}

enum { START, INT, FLOAT, EXP, SCI, INVALID };

static int state_work(void)
{
    int counts[6] = {0};
    int state = START;
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c == ',') {
            counts[state]++;
            state = START;
            continue;
        }
        switch (state) {
        case START:
            state = (c >= '0' && c <= '9') ? INT : (c == '.') ? FLOAT : INVALID;
            break;
        case INT:
            state = (c >= '0' && c <= '9') ? INT : (c == '.') ? FLOAT : (c == 'e') ? EXP : INVALID;
            break;
        case FLOAT:
            state = (c >= '0' && c <= '9') ? FLOAT : (c == 'e') ? EXP : INVALID;
            break;
        case EXP:
            state = (c == '-' || (c >= '0' && c <= '9')) ? SCI : INVALID;
            break;
        case SCI:
            state = (c >= '0' && c <= '9') ? SCI : INVALID;
            break;
        default:
            break;
        }
    }
    return counts[INT] + 2 * counts[FLOAT] + 3 * counts[SCI] + 5 * counts[INVALID];
}

int run(void)
{
    static const char *const pieces[] = {"123", "4.56", "7e-3", "x9", "0.5e12", "42", "3.", "e1"};
    for (int i = 0; i < LIST; i++) {
        nodes[i].data = (int16_t)((i * 7919) % LIST);
        nodes[i].idx = (int16_t)i;
        nodes[i].next = i + 1 < LIST ? &nodes[i + 1] : 0;
    }
    int pos = 0;
    for (int i = 0; pos < 1000; i++) {
        for (const char *s = pieces[i % 8]; *s && pos < 1000; s++)
            text[pos++] = *s;
        if (pos < 1000)
            text[pos++] = ',';
    }
    text[pos] = 0;
    node *head = &nodes[0];
    uint16_t crc = 0;
    for (int iter = 0; iter < 5000; iter++) {
        int l = list_work(&head, (int16_t)iter);
        int32_t m = matrix_work((int16_t)iter);
        int s = state_work();
        crc = crc16(crc, (uint8_t)l);
        crc = crc16(crc, (uint8_t)m);
        crc = crc16(crc, (uint8_t)(m >> 8));
        crc = crc16(crc, (uint8_t)s);
    }
    return crc;
}
