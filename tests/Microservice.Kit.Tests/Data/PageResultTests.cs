using System.Text.Json;
using Microservice.Kit.Data;

namespace Microservice.Kit.Tests.Data;

public sealed class PageResultTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseUpper };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Serialize_HasExactlyTheSamplesShape(bool webDefaults)
    {
        var page = new PageResult<int>([1, 2], page: 3, pageSize: 2, total: 57);
        var options = webDefaults ? Web : SnakeCase;

        var json = JsonSerializer.Serialize(page, options);

        Assert.Equal("{\"items\":[1,2],\"page\":3,\"pageSize\":2,\"total\":57}", json);
    }

    [Fact]
    public void Map_ConvertsItemsAndKeepsTheRest()
    {
        var page = new PageResult<int>([1, 2], 3, 2, 57).Map(i => "#" + i);

        Assert.Equal(["#1", "#2"], page.Items);
        Assert.Equal((3, 2, 57L), (page.Page, page.PageSize, page.Total));
    }
}
