"""The test servers start: a private PostgreSQL and Redis answer (a missing server fails, never skips)."""
def test_pg(postgres_url):
    import sqlalchemy as sa
    e = sa.create_engine(postgres_url)
    with e.connect() as c:
        assert c.execute(sa.text("select 1")).scalar() == 1
def test_redis(redis_url):
    import redis
    r = redis.Redis.from_url(redis_url)
    assert r.ping()
