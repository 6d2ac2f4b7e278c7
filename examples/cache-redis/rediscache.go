package main

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisCache is an openai.Cache kept in Redis, so that every replica of a
// service answers a repeated deterministic request from one shared store.
// A cache must never fail a call: when Redis is slow or down, Get reports a
// miss, Set does nothing, and OnError hears about it.
type RedisCache struct {
	rdb redis.Cmdable
	// Timeout bounds each Redis command, so a struggling Redis costs a call
	// little more than a miss. Zero means 250 ms.
	Timeout time.Duration
	// OnError, when set, is told of Redis failures (a miss is not one).
	OnError func(error)
}

// NewRedisCache returns a cache using rdb: a *redis.Client, a cluster or a
// ring client.
func NewRedisCache(rdb redis.Cmdable) *RedisCache { return &RedisCache{rdb: rdb} }

// Get returns the reply stored under key. The keys the openai package uses
// are already namespaced ("reachkit:openai:<sha-256>").
func (c *RedisCache) Get(ctx context.Context, key string) ([]byte, bool) {
	ctx, cancel := c.bound(ctx)
	defer cancel()
	b, err := c.rdb.Get(ctx, key).Bytes()
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			c.report(err)
		}
		return nil, false
	}
	return b, true
}

// Set stores value under key for ttl; 0 keeps it until Redis evicts it
// (configure maxmemory-policy allkeys-lru for a cache-only Redis).
func (c *RedisCache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) {
	// The call has its reply already: storing it should not depend on the
	// caller's context ending right after.
	ctx, cancel := c.bound(context.WithoutCancel(ctx))
	defer cancel()
	if err := c.rdb.Set(ctx, key, value, ttl).Err(); err != nil {
		c.report(err)
	}
}

func (c *RedisCache) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	d := c.Timeout
	if d <= 0 {
		d = 250 * time.Millisecond
	}
	return context.WithTimeout(ctx, d)
}

func (c *RedisCache) report(err error) {
	if c.OnError != nil {
		c.OnError(err)
	}
}
